package io.samsa.itest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * Requests to the runtime's web console as a browser sends them: logged in (basic auth) and
 * naming the page they come from in {@code Origin}. java.net.http, since HttpURLConnection
 * silently drops an Origin header.
 */
final class WebConsoleClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization;

    WebConsoleClient(int port, String user, String password) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The console's own origin, as a browser showing its pages names it. */
    String ownOrigin() {
        return base;
    }

    /** A GET's body; null unless it is answered 200. */
    String get(String path) {
        HttpResponse<String> response = send(request(path, null).GET().build());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /** A form POST from a page of {@code origin} (null: no Origin header); the status code. */
    int postForm(String path, String origin, String form) {
        return postForm(path, origin, form, null);
    }

    /** As {@link #postForm(String, String, String)}, naming the page in {@code Referer} too (unless null). */
    int postForm(String path, String origin, String form, String referer) {
        HttpRequest.Builder request = request(path, origin).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (referer != null) {
            request.header("Referer", referer);
        }
        return send(request.build()).statusCode();
    }

    /** The console's bundle upload (Bundles page, Install/Update), from a page of {@code origin}. */
    int installBundle(String origin, String fileName, byte[] jar) {
        String boundary = "samsa" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "form-data; name=\"action\"", null, "install".getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "form-data; name=\"bundlestart\"", null, "start".getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "form-data; name=\"bundlefile\"; filename=\"" + fileName + "\"",
                "application/java-archive", jar);
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = request("/system/console/bundles", origin)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return send(request).statusCode();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }

    private static void part(ByteArrayOutputStream body, String boundary, String disposition, String type, byte[] content) {
        StringBuilder head = new StringBuilder("--").append(boundary).append("\r\nContent-Disposition: ").append(disposition).append("\r\n");
        if (type != null) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        body.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder request(String path, String origin) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization);
        return origin == null ? builder : builder.header("Origin", origin);
    }
}
