package io.samsa.monitoring.jmx;

import java.util.concurrent.TimeUnit;

/** The attributes of a Kafka (Yammer) meter MBean. */
public interface MeterMBean {
    long getCount();

    double getMeanRate();

    double getOneMinuteRate();

    double getFiveMinuteRate();

    double getFifteenMinuteRate();

    TimeUnit getRateUnit();

    String getEventType();
}
