package io.samsa.coordination.zookeeper;

import java.io.IOException;

import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.StaticHostProvider;

import io.samsa.testsupport.Poll;

/** Real faults for a coordinator's ZooKeeper session, on a real server. */
final class SessionFaults {
    private SessionFaults() {
    }

    /**
     * Expires {@code c}'s session the way a long pause would end it: another client takes the
     * session over and closes it, so the server expires it. Returns once {@code c} works in a
     * new session.
     */
    static void expire(ZooKeeperCoordinator c, String serverConnect) throws Exception {
        ZooKeeper victim = c.session().handle();
        long sessionId = victim.getSessionId();
        ZooKeeper thief = new ZooKeeper(serverConnect, victim.getSessionTimeout(), event -> { },
                sessionId, victim.getSessionPasswd(), false,
                new StaticHostProvider(new ConnectStringParser(serverConnect).getServerAddresses()),
                new NioClientConfig());
        Poll.until("the thief connects", () -> thief.getState().isConnected());
        thief.close();
        Poll.until("a new session", () -> {
            long now = c.session().sessionId();
            return now != 0 && now != sessionId && c.session().client().getZookeeperClient().isConnected();
        });
    }

    /** Closes {@code c}'s socket; its client reconnects within the same session. */
    static void dropConnection(ZooKeeperCoordinator c) throws IOException {
        c.session().handle().getTestable().closeSocket();
    }
}
