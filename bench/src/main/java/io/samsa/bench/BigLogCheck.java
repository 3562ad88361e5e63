package io.samsa.bench;

final class BigLogCheck {
    private final Workspace ws;

    BigLogCheck(Workspace ws) {
        this.ws = ws;
    }

    int run() {
        throw new BrokerFailure("not yet");
    }
}
