package io.samsa.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The web console's user and password. There is no well-known default: unless server.properties
 * sets {@code webconsole.password}, the first start generates a random password and keeps it in
 * {@code <data>/webconsole.password}, which later starts reuse. The console gets the password as
 * its {@code felix.webconsole.password} framework property, as a {@code {sha-256}} hash, before
 * it starts, so it is never reachable with another password.
 *
 * <p>{@code passwordFile} is null when server.properties sets the password;
 * {@code generatedPassword} is the password only when this start generated it.
 */
record WebConsoleCredentials(String username, String passwordHash, Path passwordFile, String generatedPassword) {
    static final String FILE_NAME = "webconsole.password";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int GENERATED_LENGTH = 20;

    static WebConsoleCredentials resolve(Properties serverProperties, Path dataDir) throws IOException {
        String username = serverProperties.getProperty("webconsole.username", "admin").trim();
        String configured = serverProperties.getProperty("webconsole.password", "").trim();
        if (!configured.isEmpty()) {
            return new WebConsoleCredentials(username, configured.startsWith("{") ? configured : hash(configured), null, null);
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.isEmpty()) {
                return new WebConsoleCredentials(username, hash(stored), file, null);
            }
        }
        String generated = generate(new SecureRandom());
        writeOwnerOnly(file, generated + "\n");
        return new WebConsoleCredentials(username, hash(generated), file, generated);
    }

    static String generate(SecureRandom random) {
        StringBuilder password = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }

    /** The unsalted form the Felix web console accepts: {@code {sha-256}} and the Base64 digest. */
    static String hash(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return "{sha-256}" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " appeared while being created", e);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
