package io.samsa.controller;

import io.samsa.api.replication.PartitionState;

/**
 * A partition state the controller decided to write, and why.
 *
 * @param next the state to write; its partition epoch is the store's to assign
 * @param why  what made the change necessary, for the log
 */
record StateChange(PartitionState next, String why) {
}
