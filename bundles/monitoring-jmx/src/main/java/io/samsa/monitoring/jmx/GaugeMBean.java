package io.samsa.monitoring.jmx;

/** The attribute of a Kafka (Yammer) gauge MBean; Yammer declares it as Object. */
public interface GaugeMBean {
    Object getValue();
}
