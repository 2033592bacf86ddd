package dev.shardline.examples;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, for the console's browser test: loads a page, lets its scripts run for a
 * virtual-time budget (timers and fetches, no real waiting), then prints the rendered DOM or takes a screenshot. A
 * fresh profile per run; no sync, updates, background networking or QUIC, so it only talks to the page's server.
 */
final class HeadlessChromium {
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");

    private final Path binary;
    private final Path work;

    private HeadlessChromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** The browser named by {@code $CHROMIUM} or found at the usual paths, or empty when there is none. */
    static Optional<HeadlessChromium> find(Path work) {
        List<String> paths = new ArrayList<>();
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            paths.add(env);
        }
        paths.addAll(CANDIDATES);
        return paths.stream().map(Path::of).filter(Files::isExecutable).findFirst()
                .map(p -> new HeadlessChromium(p, work));
    }

    /** The DOM after the page's scripts ran for {@code budgetMillis} of virtual time. */
    String dumpDom(URI page, int budgetMillis) throws IOException, InterruptedException {
        Path out = run(page, budgetMillis, "--dump-dom");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of the page after its scripts ran for {@code budgetMillis} of virtual time. */
    void screenshot(URI page, int budgetMillis, Path png, int width, int height) throws IOException,
            InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(page, budgetMillis, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars");
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private Path run(URI page, int budgetMillis, String... action) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Path stdout = Files.createTempFile(work, "chromium-", ".out");
        Path stderr = Files.createTempFile(work, "chromium-", ".err");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions",
                "--user-data-dir=" + profile, "--virtual-time-budget=" + budgetMillis));
        command.addAll(List.of(action));
        command.add(page.toString());
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s: " + tail(stderr));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited " + process.exitValue() + ": " + tail(stderr));
        }
        return stdout;
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }

    @Override
    public String toString() {
        return binary.toString();
    }
}
