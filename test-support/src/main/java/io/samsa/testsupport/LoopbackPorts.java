package io.samsa.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test starts on 127.0.0.1, picked below the kernel's ephemeral range.
 *
 * <p>A port the kernel hands out for {@code bind(0)} lies in the ephemeral range, which every outgoing
 * connection on the machine draws its local port from too: between the probe and the server's own bind, or
 * while a test restarts a server on the port it had, any client connection may take it, and the server fails
 * with "Address already in use". Below that range only explicit binds land, so a port found free there stays
 * free unless another test picks the same one, which the random start makes unlikely and the probe catches.
 */
public final class LoopbackPorts {
    private static final int LOWEST = 10_000;
    private static final int[] EPHEMERAL = ephemeralRange();

    private LoopbackPorts() {
    }

    /** A port nothing listens on now on 127.0.0.1, outside the ephemeral range. */
    public static int free() {
        int top = Math.max(LOWEST + 1000, EPHEMERAL[0]);
        int span = top - LOWEST;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = LOWEST + (start + i) % span;
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1 between " + LOWEST + " and " + top);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // Servers under test set SO_REUSEADDR too, so a port in TIME_WAIT from an earlier test is usable.
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) };
        } catch (IOException | RuntimeException e) {
            // Linux's default; macOS and Windows start theirs higher, at 49152
            return new int[] { 32768, 60999 };
        }
    }
}
