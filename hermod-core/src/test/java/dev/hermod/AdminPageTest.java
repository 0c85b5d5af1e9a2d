package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page: its JSON over HTTP, and the page itself loaded in headless Chromium (Debian's
 * {@code chromium}, which .ci/run installs), showing a call made during the test.
 */
final class AdminPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private Server server;
    private Client client;
    private String base;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).admin(0)
                .start();
        client = TestServers.client(server);
        base = "http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** GETs {@code path} of the admin page: its status code. */
    private int status(String path) throws Exception {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private JsonNode get(String path) throws Exception {
        assertThat(status(path)).as(path).isEqualTo(200);
        java.net.URLConnection c = URI.create(base + path).toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try (java.io.InputStream in = c.getInputStream()) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void json_showsOperationsCallsInFlightConnectionsAndReferences() throws Exception {
        Employees e = client.proxy(Employees.class, "employees");
        assertThat(e.getName(99)).isEqualTo("Ken");
        AsyncResult<Integer> slow = client.proxy(EmployeesAsync.class, "employees").slowEcho(7, 2000);

        await().untilAsserted(() -> assertThat(get("/api/calls").toString()).contains("slowEcho"));
        JsonNode all = get("/api/all");
        JsonNode getName = all.get("operations").get(0);
        assertThat(getName.get("operation").asText()).isEqualTo("employees.getName");
        assertThat(getName.get("calls").asLong()).isEqualTo(1);
        assertThat(getName.get("p99Micros").asLong()).isPositive();
        assertThat(all.get("connections")).hasSize(1);
        assertThat(all.get("connections").get(0).get("state").asText()).isEqualTo("OPEN");
        assertThat(all.get("references").get("exported").asInt()).isZero();
        assertThat(slow.get()).isEqualTo(7);
        assertThat(server.adminAddress().orElseThrow().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void unknownPath_is404_andAServerWithoutAdminHasNone() throws Exception {
        assertThat(status("/nope")).isEqualTo(404);
        try (Server plain = TestServers.employees()) {
            assertThat(plain.adminAddress()).isEmpty();
        }
    }

    @Test
    void page_inHeadlessChromium_showsACallMadeDuringTheTest(@TempDir Path profile) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (.ci/run installs it)");
        client.proxy(Employees.class, "employees").names();

        String dom = chromium(profile, "--dump-dom");
        assertThat(dom).contains("employees.names").contains("live,").contains("OPEN");

        Path shot = Path.of("target", "admin-page.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        chromium(profile, "--screenshot=" + shot, "--window-size=1100,800");
        assertThat(shot).isNotEmptyFile();
    }

    /** Runs headless Chromium on the page with the flags that work on this kind of machine; returns its output. */
    private String chromium(Path profile, String... what) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=3000"));
        command.addAll(List.of(what));
        command.add(base + "/");
        File out = profile.resolve("chromium.out").toFile();
        Process p = new ProcessBuilder(command).redirectOutput(out)
                .redirectError(profile.resolve("chromium.err").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s");
        }
        assertThat(p.exitValue()).as(Files.readString(profile.resolve("chromium.err"))).isZero();
        return Files.readString(out.toPath(), StandardCharsets.UTF_8);
    }
}
