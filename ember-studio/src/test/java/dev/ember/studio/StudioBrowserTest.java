package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.serve.LocalModel;
import dev.ember.serve.SamplingParams;
import dev.ember.serve.ServedModel;
import dev.ember.studio.chat.ChatService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The studio in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by Selenium):
 * launch a short run on the bundled data, see its live loss curve grow, abort it, start and finish another, compare
 * the two, evaluate one (confusion matrix shown) and explain an image, chat with a tiny language model (its streamed
 * replies are the model's own greedy replies) and start and stop its OpenAI-compatible server from the page, switch to
 * Chinese, and find run names shown as text; then, in a second test, train a tiny GPT from the train tab, watch its
 * curve grow, find its perplexity in the runs table and Evaluate, and chat with it. Screenshots of each tab go to {@code target/studio-screenshots/} (CI artifacts; the README's come from here).
 * Run alone with {@code mvn -pl ember-studio -am test -Dgroups=browser -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StudioBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "studio-screenshots");
    private TestStudio s;
    private WebDriver driver;
    private Path profile;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        s = new TestStudio(tmp, null, new ChatService()); // Ember's GPT, found by ServiceLoader
        TinyChatModel.trained(s.dataRoot.resolve("tiny-chat"), 150);
        Files.writeString(s.dataRoot.resolve("chats.txt"), LanguageRunsTest.chatText(40)); // a GPT corpus in ChatML: the GPT can then chat
        profile = Files.createTempDirectory("studio-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + profile, "--lang=en-US");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build(), o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (s != null) {
            for (String id : s.studio.runs().ids())
                if (s.studio.runs().status(id).state().equals("running")) s.studio.launcher().abort(id);
            s.close();
        }
    }

    private WebElement $(String id) { return driver.findElement(By.id(id)); }

    private WebDriverWait await(int seconds) { return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(200)); }

    private void tab(String name) {
        driver.findElement(By.cssSelector("#tabs button[data-tab='" + name + "']")).click();
        await(10).until(d -> name.equals(d.findElement(By.tagName("body")).getDomAttribute("data-tab")));
    }

    private void set(String id, String value) {
        WebElement e = $(id);
        e.clear();
        e.sendKeys(value);
    }

    private final long t0 = System.nanoTime();

    private void shot(String name) throws Exception {
        System.out.printf("studio browser test: %s at %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        Thread.sleep(400); // let the charts finish drawing
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** Text of an element that the page redraws (so a held reference would go stale). */
    private String text(String id) {
        return String.valueOf(((JavascriptExecutor) driver).executeScript("return document.getElementById(arguments[0]).textContent", id));
    }

    private int lossPoints() { return Integer.parseInt($("chart-loss").getDomAttribute("data-points")); }

    private void startMlp(String name, int epochs, int patience) {
        tab("train");
        new Select($("preset")).selectByValue("mlp");
        new Select($("dataset")).selectByValue("fashion-mnist-subset");
        set("run-name", name);
        set("param-epochs", Integer.toString(epochs));
        set("param-batch_size", "16");
        set("param-train_limit", "320");
        set("param-patience", Integer.toString(patience));
        new Select($("param-device")).selectByValue("cpu");
        $("btn-start").click();
        await(20).until(d -> "live".equals(d.findElement(By.tagName("body")).getDomAttribute("data-tab")));
    }

    private boolean shown(String id) {
        return Boolean.TRUE.equals(((JavascriptExecutor) driver).executeScript(
                "const e = document.getElementById(arguments[0]); return !!e && e.closest('[hidden]') === null", id));
    }

    /**
     * The GPT preset from the train tab: its BPE-only option shows only for BPE, Preview gives the train command, the
     * live loss curve grows, the runs table shows its perplexity, Evaluate gives its perplexity (no confusion matrix),
     * and the chat tab loads the finished run in one pick and streams the model's own greedy reply.
     */
    @Test
    @Order(2)
    void trainATinyGptWatchItEvaluateItAndChatWithIt() throws Exception {
        driver.get(s.base() + "/");
        await(30).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        tab("train");
        new Select($("preset")).selectByValue("gpt");
        assertFalse(shown("param-vocab_size"), "vocab_size is for the BPE tokenizer only");
        new Select($("param-tokenizer")).selectByValue("bpe");
        await(5).until(d -> shown("param-vocab_size"));
        new Select($("param-tokenizer")).selectByValue("char");
        new Select($("dataset")).selectByValue("text-file");
        set("data_path", "chats.txt");
        set("run-name", "tiny gpt");
        for (String[] kv : new String[][]{{"layers", "1"}, {"width", "16"}, {"heads", "2"}, {"context", "64"}, {"batch_size", "4"}, {"steps", "60"},
                {"eval_every", "10"}, {"val_windows", "4"}, {"lr", "0.003"}})
            set("param-" + kv[0], kv[1]);
        new Select($("param-device")).selectByValue("cpu");
        $("btn-preview").click();
        await(10).until(d -> $("preview-output").getText().startsWith("./ember train --model gpt --tokenizer char --layers 1 --width 16"));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        shot("train-gpt");
        $("btn-start").click();
        await(20).until(d -> "live".equals(d.findElement(By.tagName("body")).getDomAttribute("data-tab")));
        String id = s.studio.runs().ids().stream().filter(r -> s.studio.runs().args(r).get("preset").getAsString().equals("gpt")).findFirst().orElseThrow();
        try {
            await(180).until(d -> lossPoints() >= 1);
            int first = lossPoints();
            await(180).until(d -> lossPoints() > first); // the live curve grows as the GPT logs
            await(240).until(d -> $("live-state").getText().equals("finished"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("points " + lossPoints() + ", state " + $("live-state").getText() + "; run " + s.get("/api/runs/" + id).body(), e);
        }
        assertEquals("6", $("chart-metrics").getDomAttribute("data-points"), "a validation every 10 of 60 steps");
        assertTrue(text("live-progress").contains("tokens/s"), text("live-progress"));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        shot("live-gpt");
        Path dir = s.runsDir.toRealPath().resolve(id);

        tab("runs");
        await(20).until(d -> !d.findElements(By.cssSelector("#runs-table tr[data-id='" + id + "'] td.best")).isEmpty());
        String best = driver.findElement(By.cssSelector("#runs-table tr[data-id='" + id + "'] td.best")).getText();
        assertTrue(best.startsWith("val_loss ") && best.contains("perplexity"), best);

        tab("evaluate");
        new Select($("eval-run")).selectByValue(id);
        await(20).until(d -> new Select($("eval-checkpoint")).getOptions().size() >= 1);
        set("eval-limit", "4");
        $("btn-evaluate").click();
        await(120).until(d -> !d.findElements(By.cssSelector("#eval-metrics tr[data-key='perplexity']")).isEmpty());
        assertFalse(shown("eval-confusion-card"), "no confusion matrix for a language model");

        tab("chat");
        await(20).until(d -> new Select($("chat-run")).getOptions().stream().anyMatch(o -> id.equals(o.getDomAttribute("value"))));
        new Select($("chat-run")).selectByValue(id);
        assertEquals(dir.toString(), $("chat-weights").getDomProperty("value"));
        assertEquals("chatml", $("chat-template").getDomProperty("value"), "a plain GPT is asked in ChatML");
        LocalModel reference = LocalModel.load(dir, null, Device.cpu(), LocalModel.chatTemplate("chatml"));
        $("btn-chat-load").click();
        await(120).until(d -> text("chat-status").contains(reference.description()));
        $("btn-chat-reset").click();
        set("chat-temperature", "0");
        set("chat-max", "8"); // the context (64) holds the 56-token prompt and 8 more
        set("chat-input", "Hello!");
        $("btn-chat-send").click();
        await(120).until(d -> d.findElements(By.cssSelector("#chat-log .msg.assistant[data-done='true']")).size() == 1);
        ServedModel.ChatPrompt prompt = reference.chatPrompt(List.of(ChatMessage.user("Hello!")));
        String expected = reference.generate(prompt.ids(), new SamplingParams(8, 0, 1, 40, 1, List.of(), 0), prompt.stops(), x -> { }, () -> false).text();
        assertEquals(expected.strip(), driver.findElement(By.cssSelector("#chat-log .msg.assistant")).getText().strip(),
                "the page shows the trained GPT's greedy reply");
        shot("chat-gpt");
    }

    @Test
    @Order(1)
    void trainWatchAbortFinishCompareEvaluateAndExplain() throws Exception {
        driver.get(s.base() + "/");
        await(30).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        new Select($("preset")).selectByValue("mlp");
        set("param-epochs", "4");
        $("btn-preview").click();
        await(10).until(d -> $("preview-output").getText().startsWith("./ember train --model mlp --epochs 4"));
        shot("train");

        // a run that is watched live, then aborted
        startMlp("to abort", 1000, 100); // long enough to be aborted on any machine
        await(120).until(d -> lossPoints() >= 1);
        int first = lossPoints();
        await(120).until(d -> lossPoints() > first); // the live curve grows as the run logs
        await(120).until(d -> lossPoints() >= 6);     // three epochs: a curve worth a screenshot
        assertTrue(text("live-step").matches("\\d+ / 20000"), text("live-step"));
        shot("live");
        $("btn-abort").click();
        await(30).until(d -> $("live-state").getText().equals("aborted"));

        // a second run that finishes
        startMlp("mlp, 2 epochs", 2, 3);
        await(180).until(d -> $("live-state").getText().equals("finished"));
        assertEquals(4, lossPoints(), "2 epochs of 20 steps: 2 step and 2 epoch points");

        // runs: both listed, compared, arguments diffed
        tab("runs");
        await(20).until(d -> d.findElements(By.cssSelector("#runs-table tbody tr")).size() == 2);
        for (WebElement c : driver.findElements(By.cssSelector("#runs-table .pick"))) c.click();
        $("btn-compare").click();
        await(20).until(d -> !d.findElements(By.cssSelector("#compare-diff tr.differs")).isEmpty());
        assertTrue(driver.findElements(By.cssSelector("#compare-diff tr.differs td")).stream().anyMatch(e -> e.getText().equals("epochs")));
        assertFalse(driver.findElements(By.cssSelector("#chart-compare canvas")).isEmpty(), "the comparison is drawn by ECharts");
        shot("runs");

        // evaluate the finished run: metrics, confusion matrix, misclassified images; then explain one image
        tab("evaluate");
        String finished = s.studio.runs().ids().stream().filter(id -> s.studio.runs().status(id).state().equals("finished")).findFirst().orElseThrow();
        new Select($("eval-run")).selectByValue(finished);
        await(20).until(d -> new Select($("eval-checkpoint")).getOptions().size() >= 1);
        set("eval-limit", "300");
        $("btn-evaluate").click();
        await(120).until(d -> "100".equals($("chart-confusion").getDomAttribute("data-cells")));
        assertFalse(driver.findElements(By.cssSelector("#chart-confusion canvas")).isEmpty(), "the confusion matrix heat map is drawn");
        assertFalse(driver.findElements(By.cssSelector("#misclassified img")).isEmpty(), "misclassified examples show their images");
        set("explain-index", "1");
        $("btn-explain").click();
        await(120).until(d -> $("explain-ig").getDomAttribute("src") != null && $("explain-ig").getDomAttribute("src").startsWith("data:image/png"));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        shot("evaluate");

        // chat with a tiny language model (fitted to a few riddles): load it, send two messages, the replies stream in
        tab("chat");
        await(20).until(d -> !$("chat-status").getText().isEmpty());
        set("chat-weights", "tiny-chat");
        $("btn-chat-load").click();
        await(120).until(d -> text("chat-status").contains("GPT 2x32"));
        set("chat-temperature", "0");
        set("chat-max", "60");
        LocalModel reference = LocalModel.load(s.dataRoot.resolve("tiny-chat"), null, Device.cpu());
        List<ChatMessage> conversation = new ArrayList<>();
        for (String question : List.of("Hello!", "What has keys but can't open locks?")) {
            set("chat-input", question);
            $("btn-chat-send").click();
            int turn = conversation.size() / 2;
            await(120).until(d -> d.findElements(By.cssSelector("#chat-log .msg.assistant[data-done='true']")).size() == turn + 1);
            conversation.add(ChatMessage.user(question));
            ServedModel.ChatPrompt prompt = reference.chatPrompt(conversation);
            String expected = reference.generate(prompt.ids(), new SamplingParams(60, 0, 1, 40, 1, List.of(), 0), prompt.stops(), x -> { },
                    () -> false).text();
            String shown = driver.findElements(By.cssSelector("#chat-log .msg.assistant")).get(turn).getText();
            assertEquals(expected.strip(), shown.strip(), "the page shows the model's greedy reply to turn " + turn);
            conversation.add(ChatMessage.assistant(expected));
        }
        assertTrue(text("chat-log").contains("A piano."), "the riddle the model was fitted to: " + text("chat-log"));
        // the OpenAI-compatible server, started from the page on a free port and asked by a plain HTTP client
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        set("serve-port", Integer.toString(port));
        $("btn-serve-start").click();
        await(180).until(d -> "serving".equals($("serve-status").getDomAttribute("data-state")));
        var models = s.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/models")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(models.body().contains("\"id\":\"tiny-chat\""), models.body());
        assertFalse($("serve-example").getText().isEmpty(), "a curl line to try");
        shot("chat");
        $("btn-serve-stop").click();
        await(30).until(d -> "stopped".equals($("serve-status").getDomAttribute("data-state")));

        // a run name holding markup is shown as text, never turned into elements
        String htmlName = "<img src=x id=injected onerror=\"document.title='pwned'\">second";
        String json = "{\"name\":\"" + htmlName.replace("\"", "\\\"") + "\"}";
        assertEquals(200, s.post("/api/runs/" + finished + "/rename", json, java.util.Map.of("Origin", s.base())).status());
        tab("runs");
        await(20).until(d -> d.findElements(By.cssSelector("#runs-table td.run-name")).stream().anyMatch(e -> e.getText().equals(htmlName)));
        assertTrue(driver.findElements(By.id("injected")).isEmpty(), "no element was made from a run name");
        assertFalse(driver.getTitle().contains("pwned"));
        tab("live");
        assertTrue(driver.findElements(By.id("injected")).isEmpty());

        // Chinese
        $("lang").click();
        await(10).until(d -> driver.findElement(By.cssSelector("#tabs button[data-tab='train']")).getText().equals("训练"));
        tab("train");
        shot("train-zh");
        $("lang").click();
    }
}
