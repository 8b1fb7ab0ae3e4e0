package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLC child's RMI server sockets wait in Java, and its jar holds what the child loads. */
class TlcChildTest {

    @Test
    void acceptWaitsInJavaNotInNativeCodeUntilTheSocketCloses() throws Exception {
        ServerSocket socket = new TlcChild.QuietAcceptFactory().createServerSocket(0);
        assertTrue(socket.isBound() && socket.getLocalPort() > 0, "bound like any RMI server socket");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread acceptor = new Thread(() -> {
            try {
                socket.accept();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "accept");
        acceptor.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (acceptor.getState() != Thread.State.WAITING && acceptor.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // a thread in ServerSocket's native accept() is RUNNABLE: that is what delays the JVM's exit
        assertEquals(Thread.State.WAITING, acceptor.getState());
        socket.close();
        acceptor.join(10_000);
        assertFalse(acceptor.isAlive(), "close() must wake accept()");
        assertInstanceOf(SocketException.class, thrown.get());
    }

    @Test
    void anInterruptedAcceptThrowsAndKeepsTheInterrupt() throws Exception {
        try (ServerSocket socket = new TlcChild.QuietServerSocket(0)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interrupted = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    socket.accept();
                } catch (IOException e) {
                    thrown.set(e);
                    interrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            acceptor.start();
            acceptor.interrupt();
            acceptor.join(10_000);
            assertInstanceOf(SocketException.class, thrown.get());
            assertEquals(Boolean.TRUE, interrupted.get());
        }
    }

    @Test
    void theJarHoldsTheChildsClassesAndIsWrittenOnce(@TempDir Path dir) throws IOException {
        Path jar = TlcChild.jarIn(dir);
        assertEquals(jar, TlcChild.jarIn(dir), "same content, same jar");
        try (JarFile f = new JarFile(jar.toFile())) {
            Set<String> names = f.stream().map(e -> e.getName()).collect(Collectors.toSet());
            assertEquals(Set.of("dev/replicalifecycle/modelcheck/TlcChild.class",
                    "dev/replicalifecycle/modelcheck/TlcChild$QuietAcceptFactory.class",
                    "dev/replicalifecycle/modelcheck/TlcChild$QuietServerSocket.class"), names);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
