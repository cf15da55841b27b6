package dualwan.web;

import dualwan.config.ConfigError;
import dualwan.config.ConfigException;
import dualwan.config.FileSetting;

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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The password of {@code web.password-file}, read once when the daemon starts. Only its SHA-256 digest is
 * kept, and a guess is compared digest to digest in constant time.
 */
public final class Password {

    /** Largest password file accepted: a password, not a key ring. */
    static final int MAX_BYTES = 4096;
    private static final String KEY = "web.password-file";

    private final byte[] digest;

    private Password(byte[] digest) {
        this.digest = digest;
    }

    static Password of(String password) {
        return new Password(sha256(password));
    }

    /**
     * Reads the file; a problem is reported like a config error, {@code file:line: web.password-file: …}.
     *
     * @param source the config file, for messages
     */
    static Password load(Path source, FileSetting f) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(f.path())) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw error(source, f, "cannot read " + f.path() + ": no such file");
        } catch (AccessDeniedException e) {
            throw error(source, f, "cannot read " + f.path() + ": permission denied for user "
                    + System.getProperty("user.name"));
        } catch (IOException e) {
            throw error(source, f, "cannot read " + f.path() + ": " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw error(source, f, f.path() + " is larger than " + MAX_BYTES + " bytes; is it the right file?");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error(source, f, f.path() + " is not UTF-8 text");
        }
        // One line; the newline an editor or `echo` adds is not part of the password.
        text = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (text.isEmpty()) {
            throw error(source, f, f.path() + " is empty; put the password in it");
        }
        if (text.contains("\n") || text.contains("\r")) {
            throw error(source, f, f.path() + " has more than one line; put only the password in it");
        }
        return of(text);
    }

    boolean matches(String guess) {
        return MessageDigest.isEqual(digest, sha256(guess));
    }

    private static ConfigException error(Path source, FileSetting f, String message) {
        return new ConfigException(List.of(new ConfigError(source, f.line(), KEY, message)));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
