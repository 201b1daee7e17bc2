package org.asyncio4j.streams;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for the TLS tests, made once per JVM with the JDK's keytool: a self-signed
 * server certificate for {@code localhost} and {@code 127.0.0.1}, and one for a client
 * ({@code CN=client}), each as a PKCS12 key store, a PKCS12 trust store holding only the
 * certificate, and PEM files (the certificate, and the private key as PKCS#8).
 */
final class TlsFixtures {
    static final char[] PASS = "changeit".toCharArray();

    /** One identity's files. */
    record Identity(Path keyStore, Path trustStore, Path certPem, Path keyPem, Certificate cert) {
        SSLContext serverContext() throws Exception {
            return context(keyStore, null);
        }

        SSLContext clientContextTrusting() throws Exception {
            return context(null, trustStore);
        }
    }

    static final Path DIR;
    static final Identity SERVER;

    static {
        try {
            DIR = Files.createTempDirectory("asyncio4j-tls");
            DIR.toFile().deleteOnExit();
            SERVER = make("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The client's identity, made on first use (a keytool run costs seconds on a loaded machine). */
    static final class Client {
        static final Identity CLIENT;

        static {
            try {
                CLIENT = make("client", "CN=client", "SAN=dns:client");
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Client() {
        }
    }

    private TlsFixtures() {
    }

    private static Identity make(String name, String dname, String san) throws Exception {
        Path ks = DIR.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1",
                "-alias", name, "-dname", dname, "-ext", san,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "keytool hung");
        assertEquals(0, p.exitValue(), "keytool failed: " + out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, PASS);
        }
        Certificate cert = store.getCertificate(name);
        PrivateKey key = (PrivateKey) store.getKey(name, PASS);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(name, cert);
        Path ts = DIR.resolve(name + "-trust.p12");
        try (var o = Files.newOutputStream(ts)) {
            trust.store(o, PASS);
        }
        Path certPem = DIR.resolve(name + ".crt");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Path keyPem = DIR.resolve(name + ".key");
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));   // PKCS#8
        for (Path f : new Path[] {ks, ts, certPem, keyPem}) {
            f.toFile().deleteOnExit();
        }
        return new Identity(ks, ts, certPem, keyPem, cert);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A context with the key store's key (or none) and the trust store's certificates (or the JDK's). */
    static SSLContext context(Path keyStore, Path trustStore) throws Exception {
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
            KeyStore ks = KeyStore.getInstance(keyStore.toFile(), PASS);
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASS);
        }
        TrustManagerFactory tmf = null;
        if (trustStore != null) {
            KeyStore ts = KeyStore.getInstance(trustStore.toFile(), PASS);
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
        }
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return c;
    }
}
