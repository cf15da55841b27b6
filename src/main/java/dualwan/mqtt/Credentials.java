package dualwan.mqtt;

import dualwan.config.ConfigError;
import dualwan.config.ConfigException;
import dualwan.config.FileSetting;
import dualwan.config.MqttConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code mqtt} section names but does not hold: the password (from {@code password-file}) and the
 * TLS trust (from {@code ca-file}). Read once when the daemon starts; a problem is reported like a config
 * error, as {@code file:line: key: message}.
 *
 * @param password the password, when a password file is configured
 * @param tls      the socket factory for {@code ssl://} brokers
 */
public record Credentials(Optional<char[]> password, Optional<SSLSocketFactory> tls) {

    /** Largest password file accepted: a password, not a key ring. */
    public static final int MAX_PASSWORD_BYTES = 4096;
    /** Largest CA file accepted. */
    public static final int MAX_CA_BYTES = 1 << 20;

    /**
     * Reads the files {@code config} names.
     *
     * @param source the config file, for messages
     * @throws ConfigException with every file that cannot be used
     */
    public static Credentials load(Path source, MqttConfig config) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Optional<char[]> password = config.passwordFile().flatMap(f -> password(source, f, errors));
        Optional<SSLSocketFactory> tls = Optional.empty();
        if (config.tls()) {
            tls = config.caFile().isPresent()
                    ? config.caFile().flatMap(f -> trusting(source, f, errors))
                    : defaultTrust(source, errors);
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new Credentials(password, tls);
    }

    private static Optional<char[]> password(Path source, FileSetting f, List<ConfigError> errors) {
        String key = "mqtt.password-file";
        Optional<byte[]> bytes = read(source, f, key, MAX_PASSWORD_BYTES, errors);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.get())).toString();
        } catch (CharacterCodingException e) {
            errors.add(new ConfigError(source, f.line(), key, f.path() + " is not UTF-8 text"));
            return Optional.empty();
        }
        // One line; the newline an editor or `echo` adds is not part of the password.
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            errors.add(new ConfigError(source, f.line(), key, f.path() + " is empty; put the password in it"));
            return Optional.empty();
        }
        if (text.contains("\n") || text.contains("\r")) {
            errors.add(new ConfigError(source, f.line(), key, f.path() + " has more than one line; put only the"
                    + " password in it"));
            return Optional.empty();
        }
        return Optional.of(text.toCharArray());
    }

    private static Optional<SSLSocketFactory> trusting(Path source, FileSetting f, List<ConfigError> errors) {
        String key = "mqtt.ca-file";
        Optional<byte[]> bytes = read(source, f, key, MAX_CA_BYTES, errors);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = new java.io.ByteArrayInputStream(bytes.get())) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                errors.add(new ConfigError(source, f.line(), key, f.path() + " holds no certificate; give the CA"
                        + " certificate in PEM form (-----BEGIN CERTIFICATE-----)"));
                return Optional.empty();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return Optional.of(context.getSocketFactory());
        } catch (GeneralSecurityException | IOException e) {
            errors.add(new ConfigError(source, f.line(), key, f.path() + " is not a usable PEM certificate: "
                    + e.getMessage()));
            return Optional.empty();
        }
    }

    private static Optional<SSLSocketFactory> defaultTrust(Path source, List<ConfigError> errors) {
        try {
            return Optional.of(SSLContext.getDefault().getSocketFactory());
        } catch (GeneralSecurityException e) {
            errors.add(new ConfigError(source, 0, "mqtt.broker", "the JVM's default TLS trust store cannot be used ("
                    + e.getMessage() + "); give mqtt.ca-file"));
            return Optional.empty();
        }
    }

    private static Optional<byte[]> read(Path source, FileSetting f, String key, int max, List<ConfigError> errors) {
        try (InputStream in = Files.newInputStream(f.path())) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                errors.add(new ConfigError(source, f.line(), key, f.path() + " is larger than " + max
                        + " bytes; is it the right file?"));
                return Optional.empty();
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            errors.add(new ConfigError(source, f.line(), key, "cannot read " + f.path() + ": no such file"));
        } catch (AccessDeniedException e) {
            errors.add(new ConfigError(source, f.line(), key, "cannot read " + f.path() + ": permission denied for"
                    + " user " + System.getProperty("user.name")));
        } catch (IOException e) {
            errors.add(new ConfigError(source, f.line(), key, "cannot read " + f.path() + ": " + e.getMessage()));
        }
        return Optional.empty();
    }
}
