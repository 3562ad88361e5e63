package io.samsa.monitoring.jmx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;

/** Constant attributes under their own names ({@code version}, {@code commit-id}), read-only. */
final class InfoMBean implements DynamicMBean {

    private final Map<String, Object> attributes;
    private final MBeanInfo info;

    InfoMBean(Map<String, Object> attributes) {
        this.attributes = Map.copyOf(attributes);
        List<MBeanAttributeInfo> infos = new ArrayList<>();
        attributes.forEach((name, value) -> infos.add(new MBeanAttributeInfo(name, value.getClass().getName(),
                "Metric " + name, true, false, false)));
        this.info = new MBeanInfo(InfoMBean.class.getName(), "Kafka metrics", infos.toArray(MBeanAttributeInfo[]::new),
                null, new MBeanOperationInfo[0], null);
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Object value = attributes.get(attribute);
        if (value == null) {
            throw new AttributeNotFoundException("No attribute " + attribute + "; there are " + attributes.keySet());
        }
        return value;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("Attribute " + attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        AttributeList list = new AttributeList();
        for (String name : names) {
            Object value = attributes.get(name);
            if (value != null) {
                list.add(new Attribute(name, value));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList list) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("Metric MBeans have no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
