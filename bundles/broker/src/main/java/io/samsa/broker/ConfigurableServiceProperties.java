package io.samsa.broker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import aQute.bnd.annotation.xml.XMLAttribute;

/**
 * Felix SCR's extension attribute that lets a component's activate, modified and bind methods
 * return a {@code Map} that replaces its service properties. Standard DS has no way for a component
 * to publish properties it learns at run time (the cluster id, the bound storage engine's name);
 * bnd writes the attribute into the component description, and an SCR without the extension
 * ignores it.
 */
@XMLAttribute(namespace = "http://felix.apache.org/xmlns/scr/extensions/v1.0.0", prefix = "felix")
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface ConfigurableServiceProperties {
    boolean configurableServiceProperties() default true;
}
