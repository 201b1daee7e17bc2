package org.asyncio4j.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material that {@code StreamOptions}' conveniences name (CA files, a trust store, this
 * side's certificate chain and key or key store), and the SSLContext built from it: once, the
 * first time it is needed (the files are read then, off the loop when a task asks), then kept.
 * Immutable but for that cache; each {@code with} returns a copy without it.
 *
 * <p>Trust: the CA files' certificates and the trust store's entries when any is named, else
 * the JDK's default trust (its {@code cacerts}, or {@code javax.net.ssl.trustStore}). Key
 * material: a PEM certificate chain with a PKCS#8 PEM key (RSA, EC, EdDSA), or a PKCS12/JKS key
 * store; none for a client without a certificate.
 */
public final class TlsMaterial {
    /** TLS with the JDK's default trust and no certificate of our own. */
    public static final TlsMaterial DEFAULT = new TlsMaterial(List.of(), null, null, null, null, null, null);

    private final List<Path> caFiles;
    private final Path trustStore;
    private final char[] trustPassword;
    private final Path chainPem, keyPem;
    private final Path keyStore;
    private final char[] keyStorePassword;
    private volatile SSLContext built;

    private TlsMaterial(List<Path> caFiles, Path trustStore, char[] trustPassword, Path chainPem, Path keyPem, Path keyStore,
            char[] keyStorePassword) {
        this.caFiles = caFiles;
        this.trustStore = trustStore;
        this.trustPassword = trustPassword;
        this.chainPem = chainPem;
        this.keyPem = keyPem;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
    }

    public TlsMaterial withCaFile(Path pem) {
        List<Path> cas = new ArrayList<>(caFiles);
        cas.add(Objects.requireNonNull(pem, "pem"));
        return new TlsMaterial(List.copyOf(cas), trustStore, trustPassword, chainPem, keyPem, keyStore, keyStorePassword);
    }

    public TlsMaterial withTrustStore(Path store, char[] password) {
        return new TlsMaterial(caFiles, Objects.requireNonNull(store, "trustStore"), password == null ? null : password.clone(),
                chainPem, keyPem, keyStore, keyStorePassword);
    }

    public TlsMaterial withCertificate(Path chain, Path key) {
        return new TlsMaterial(caFiles, trustStore, trustPassword, Objects.requireNonNull(chain, "certChainPem"),
                Objects.requireNonNull(key, "privateKeyPem"), null, null);
    }

    public TlsMaterial withKeyStore(Path store, char[] password) {
        Objects.requireNonNull(password, "password");
        return new TlsMaterial(caFiles, trustStore, trustPassword, null, null, Objects.requireNonNull(store, "keyStore"),
                password.clone());
    }

    /** The context, if built already (no file read, no wait), else null. */
    public SSLContext ifBuilt() {
        return built;
    }

    /**
     * The context, built on the first call (reading the files), the same one afterwards.
     *
     * @throws IOException              if a file cannot be read, or a store's password is wrong
     * @throws IllegalArgumentException if a file holds no usable certificate, key or store
     */
    public synchronized SSLContext context() throws IOException {
        SSLContext c = built;
        if (c == null) {
            try {
                c = SSLContext.getInstance("TLS");
                c.init(keyManagers(), trustManagers(), null);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot build a TLS context from " + this + ": " + e.getMessage(), e);
            }
            built = c;
        }
        return c;
    }

    private TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        if (caFiles.isEmpty() && trustStore == null) {
            return null;                                      // the JDK's default trust
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        for (Path ca : caFiles) {
            for (X509Certificate cert : certificates(ca)) {
                trust.setCertificateEntry("ca-" + n++, cert);
            }
        }
        if (trustStore != null) {
            KeyStore ts = load(trustStore, trustPassword, "trust store");
            for (String alias : java.util.Collections.list(ts.aliases())) {
                Certificate cert = ts.getCertificate(alias);
                if (cert != null) {
                    trust.setCertificateEntry("store-" + n++, cert);
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException("the trust store " + trustStore + " holds no certificate");
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    private KeyManager[] keyManagers() throws IOException, GeneralSecurityException {
        KeyStore ks;
        char[] pass;
        if (keyStore != null) {
            ks = load(keyStore, keyStorePassword, "key store");
            pass = keyStorePassword;
        } else if (chainPem != null) {
            List<X509Certificate> chain = certificates(chainPem);
            PrivateKey key = privateKey(keyPem);
            checkPair(key, chain.get(0));
            pass = new char[0];
            ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, pass, chain.toArray(new Certificate[0]));
        } else {
            return null;
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
            kmf.init(ks, pass);
        } catch (java.security.UnrecoverableKeyException e) {
            throw new IllegalArgumentException("cannot recover the key in " + keyStore + " with its password: " + e.getMessage(), e);
        }
        return kmf.getKeyManagers();
    }

    private static KeyStore load(Path file, char[] password, String what) throws IOException, GeneralSecurityException {
        try {
            return KeyStore.getInstance(file.toFile(), password);
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such " + what);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new IOException("the " + what + " " + file + " could not be opened: wrong password?", e);
            }
            if (!Files.isReadable(file)) {
                throw new IOException("the " + what + " " + file + " cannot be read", e);
            }
            throw new IllegalArgumentException("the " + what + " " + file + " is not a PKCS12 or JKS key store, or its password is "
                    + "wrong: " + e.getMessage(), e);
        } catch (java.security.KeyStoreException e) {
            throw new IllegalArgumentException("the " + what + " " + file + " is not a PKCS12 or JKS key store", e);
        }
    }

    /** The X.509 certificates of a PEM (or DER) file, in order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(data));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not a PEM file of X.509 certificates: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** A PKCS#8 private key ("-----BEGIN PRIVATE KEY-----") of a PEM file: RSA, EC, EdDSA, XDH or DSA. */
    static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " holds an encrypted key: decrypt it (openssl pkcs8 -in KEY -nocrypt -out PLAIN)"
                    + " or put key and certificate in a PKCS12 store (StreamOptions.withKeyStore)");
        }
        String begin = "-----BEGIN PRIVATE KEY-----", end = "-----END PRIVATE KEY-----";
        int b = text.indexOf(begin), e = text.indexOf(end);
        if (b < 0 || e < b) {
            String hint = text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? " (it holds a PKCS#1/SEC1 key: convert it with openssl pkcs8 -topk8 -nocrypt -in KEY -out PKCS8KEY)" : "";
            throw new IllegalArgumentException(file + " holds no PKCS#8 PEM private key (" + begin + ")" + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(file + ": the private key is not valid base64", bad);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "XDH", "DSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": the private key is not an RSA, EC, EdDSA or DSA PKCS#8 key");
    }

    /** Fails clearly when the key is not the certificate's (else the handshake would, obscurely). */
    private static void checkPair(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (alg == null) {
            return;
        }
        try {
            byte[] probe = "asyncio4j key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            if (!v.verify(sig)) {
                throw new IllegalArgumentException("the private key does not match the certificate " + cert.getSubjectX500Principal());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key does not match the certificate " + cert.getSubjectX500Principal()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TLS material[trust=" + (caFiles.isEmpty() && trustStore == null ? "JDK default" : caFiles + (trustStore != null
                ? " " + trustStore : "")) + ", own=" + (keyStore != null ? keyStore : chainPem != null ? chainPem + "+" + keyPem : "none")
                + "]";
    }
}
