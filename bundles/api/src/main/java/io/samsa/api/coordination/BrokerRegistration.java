package io.samsa.api.coordination;

import java.util.Optional;

/**
 * A live broker as the cluster sees it.
 *
 * @param brokerId the broker's {@code broker.id}
 * @param host     host clients connect to (from {@code advertised.listeners})
 * @param port     port clients connect to
 * @param rack     {@code broker.rack}, if set
 * @param epoch    increases each time the broker registers; 0 before registration
 */
public record BrokerRegistration(int brokerId, String host, int port, Optional<String> rack, long epoch) {
}
