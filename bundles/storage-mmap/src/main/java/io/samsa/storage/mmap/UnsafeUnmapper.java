package io.samsa.storage.mmap;

import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;

import io.samsa.storage.format.Unmapper;
import sun.misc.Unsafe;

/**
 * Unmaps at once through {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported), the
 * only supported-in-practice way to release a mapping before the garbage collector finds it.
 * In OSGi the framework must export {@code sun.misc} from the system bundle
 * ({@code org.osgi.framework.system.packages.extra=sun.misc}); the bundle imports it.
 */
final class UnsafeUnmapper implements Unmapper {

    private final Unsafe unsafe;

    UnsafeUnmapper() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = (Unsafe) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("sun.misc.Unsafe is not available to unmap memory-mapped segment files", e);
        }
    }

    @Override
    public void unmap(MappedByteBuffer buffer) {
        unsafe.invokeCleaner(buffer);
    }
}
