package io.samsa.broker;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/** A {@link KafkaBroker.Config} as the component framework would build it: annotation defaults plus overrides. */
final class TestConfig {

    private TestConfig() {
    }

    static KafkaBroker.Config of(Map<String, ?> overrides) {
        return (KafkaBroker.Config) Proxy.newProxyInstance(KafkaBroker.Config.class.getClassLoader(),
                new Class<?>[] {KafkaBroker.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return KafkaBroker.Config.class;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? "Config" + overrides
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                : proxy == args[0];
                    }
                    Object v = overrides.get(method.getName().replace('_', '.'));
                    return v == null ? method.getDefaultValue() : convert(v, method);
                });
    }

    private static Object convert(Object v, Method m) {
        Class<?> t = m.getReturnType();
        String s = String.valueOf(v);
        if (t == int.class) {
            return Integer.valueOf(s);
        }
        if (t == long.class) {
            return Long.valueOf(s);
        }
        if (t == double.class) {
            return Double.valueOf(s);
        }
        if (t == boolean.class) {
            return Boolean.valueOf(s);
        }
        return s;
    }
}
