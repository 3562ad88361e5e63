package io.samsa.bench;

final class SwapCheck {
    private final Workspace ws;

    SwapCheck(Workspace ws) {
        this.ws = ws;
    }

    int run() {
        throw new BrokerFailure("not yet");
    }
}
