package io.samsa.monitoring.jmx;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;

/**
 * Keeps one MBean per metric the sources list, under the metric's Kafka name: {@link #sync()}
 * registers what appeared and unregisters what went, {@link #tick()} moves the meters' rates.
 * Both run on one thread (the exporter's); {@link #add}/{@link #remove} may come from any.
 */
final class KafkaMBeans {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMBeans.class);

    private final MBeanServer server;
    private final MeterRates.NanoClock clock;
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    /** What is registered, by name, with the object it stands for (to see a replaced counter). */
    private final Map<MetricName, Registered> registered = new HashMap<>();

    KafkaMBeans(MBeanServer server, MeterRates.NanoClock clock) {
        this.server = server;
        this.clock = clock;
    }

    void add(MetricSource source) {
        sources.add(source);
    }

    void remove(MetricSource source) {
        sources.remove(source);
    }

    private record Registered(Object metric, ObjectName objectName, MeterRates rates) {
    }

    synchronized void sync() {
        Set<MetricName> seen = new HashSet<>();
        MetricVisitor visitor = new MetricVisitor() {
            @Override
            public void meter(MetricName name, Meter meter) {
                if (fresh(name, meter, seen)) {
                    MeterRates rates = new MeterRates(meter, clock);
                    register(name, meter, new StandardMBean(rates, MeterMBean.class, false), rates);
                }
            }

            @Override
            public void gauge(MetricName name, LongSupplier value) {
                if (fresh(name, value, seen)) {
                    GaugeMBean gauge = value::getAsLong;
                    register(name, value, new StandardMBean(gauge, GaugeMBean.class, false), null);
                }
            }

            @Override
            public void histogram(MetricName name, Histogram histogram) {
                if (fresh(name, histogram, seen)) {
                    register(name, histogram, new StandardMBean(new HistogramView(histogram), HistogramMBean.class,
                            false), null);
                }
            }

            @Override
            public void info(MetricName name, Map<String, Object> attributes) {
                if (fresh(name, attributes, seen)) {
                    register(name, attributes, new InfoMBean(attributes), null);
                }
            }
        };
        for (MetricSource source : sources) {
            try {
                source.visit(visitor);
            } catch (RuntimeException e) {
                LOG.warn("A metric source failed to list its metrics; keeping what it listed so far", e);
            }
        }
        registered.keySet().removeIf(name -> {
            if (seen.contains(name)) {
                return false;
            }
            unregister(registered.get(name).objectName());
            return true;
        });
    }

    /**
     * True when {@code name} is to be (re)registered for {@code metric}: it is new, or stands for
     * another object than before (a restarted broker's fresh counters). A name listed twice in a
     * pass keeps the first.
     */
    private boolean fresh(MetricName name, Object metric, Set<MetricName> seen) {
        if (!seen.add(name)) {
            LOG.debug("Metric {} listed twice; keeping the first", name);
            return false;
        }
        Registered current = registered.get(name);
        if (current == null) {
            return true;
        }
        if (current.metric() == metric || metric instanceof Map && current.metric().equals(metric)) {
            return false;
        }
        unregister(current.objectName());
        registered.remove(name);
        return true;
    }

    private void register(MetricName name, Object metric, Object mbean, MeterRates rates) {
        try {
            ObjectName objectName = new ObjectName(name.objectName());
            try {
                server.registerMBean(mbean, objectName);
            } catch (InstanceAlreadyExistsException e) {
                // Left behind by an earlier copy of this bundle that could not clean up; ours replaces it.
                server.unregisterMBean(objectName);
                server.registerMBean(mbean, objectName);
            }
            registered.put(name, new Registered(metric, objectName, rates));
        } catch (JMException | RuntimeException e) {
            LOG.warn("Cannot register MBean {}", name, e);
        }
    }

    private void unregister(ObjectName objectName) {
        try {
            server.unregisterMBean(objectName);
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (JMException | RuntimeException e) {
            LOG.warn("Cannot unregister MBean {}", objectName, e);
        }
    }

    synchronized void tick() {
        for (Registered r : registered.values()) {
            if (r.rates() != null) {
                r.rates().tick();
            }
        }
    }

    synchronized void unregisterAll() {
        registered.values().forEach(r -> unregister(r.objectName()));
        registered.clear();
    }

    synchronized int size() {
        return registered.size();
    }
}
