package io.samsa.itest;

import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.Test;

import io.samsa.testsupport.Poll;

/**
 * The harness's ZooKeeper processes: a three-node ensemble forms one quorum, elects another
 * leader when its leader is killed, and takes the killed node back as follower. (A ZooKeeper
 * client is not used here: outside OSGi it needs Netty, which the test class path lacks.)
 */
public class ZooKeeperProcessIT {

    private static final Duration ELECTION = Duration.ofSeconds(30);

    private static List<String> modes(List<ZooKeeperProcess> nodes) {
        List<String> modes = new ArrayList<>();
        for (ZooKeeperProcess n : nodes) {
            modes.add(n.isAlive() ? n.mode().orElse("not serving") : "dead");
        }
        return modes;
    }

    private static boolean oneLeaderRestFollowers(List<ZooKeeperProcess> live) {
        List<String> modes = modes(live);
        return modes.stream().filter("leader"::equals).count() == 1
                && modes.stream().filter("follower"::equals).count() == live.size() - 1;
    }

    @Test
    public void ensembleSurvivesItsLeaderAndTakesItBack() throws Exception {
        Path dir = SamsaOsgiTestSupport.tempDir("zk-ensemble");
        List<ZooKeeperProcess> nodes = ZooKeeperProcess.startEnsemble(3, dir);
        try {
            Poll.until(ELECTION, () -> oneLeaderRestFollowers(nodes), "one leader and two followers");
            ZooKeeperProcess leader = nodes.stream().filter(n -> n.mode().equals(Optional.of("leader"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no leader: " + modes(nodes)));
            leader.kill();
            List<ZooKeeperProcess> survivors = new ArrayList<>(nodes);
            survivors.remove(leader);
            Poll.until(ELECTION, () -> oneLeaderRestFollowers(survivors),
                    "the two survivors elect a leader (modes " + modes(nodes) + " at the kill)");

            leader.restart();
            Poll.until(ELECTION, () -> oneLeaderRestFollowers(nodes), "the restarted node rejoins");
            assertTrue("the restarted node follows: " + modes(nodes), leader.mode().equals(Optional.of("follower")));
        } finally {
            nodes.forEach(ZooKeeperProcess::close);
        }
    }
}
