package io.samsa.bench;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** A process that accepts connections on 127.0.0.1:port and never answers: a broker's outline for the harness's tests. */
public final class FakeListener {
    private FakeListener() {
    }

    public static void main(String[] args) throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getLoopbackAddress())) {
            while (true) {
                held.add(server.accept());
            }
        }
    }
}
