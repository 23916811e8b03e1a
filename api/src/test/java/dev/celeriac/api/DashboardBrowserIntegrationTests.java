package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.database.IsolatedDatabase;
import dev.celeriac.testsupport.http.ApiCalls;
import dev.celeriac.worker.demo.DemoTasks;
import dev.celeriac.worker.demo.FaultTasks;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web dashboard in a real headless Chromium, against a real API (ledger on PostgreSQL) and a real worker: what a
 * person sees and clicks, checked against the ledger over REST. Each test saves screenshots of the pages it visits
 * under {@code target/dashboard/}; docs/dashboard.md shows them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIntegrationTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({DemoTasks.class, FaultTasks.class})
    static class DemoWorker {}

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @RegisterExtension
    static final IsolatedDatabase database = new IsolatedDatabase();

    private static final String ADMIN = "admin-key-for-the-dashboard-tests";
    private static final String READ = "read-key-for-the-dashboard-tests";
    private static final String IDLE_QUEUE = "reports";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext api;
    private static ConfigurableApplicationContext worker;
    private static String base;

    private final List<WebDriver> browsers = new ArrayList<>();

    @TempDir
    Path scratch;

    @BeforeAll
    static void start() throws IOException {
        assertThat(CHROMIUM)
                .as("Debian's chromium and chromium-driver packages (.ci/run installs them)")
                .isExecutable();
        assertThat(CHROMEDRIVER).isExecutable();
        Files.createDirectories(SCREENSHOTS);
        var arguments =
                TestApps.apiArguments(rabbit.endpoint(), database.endpoint().springProperties());
        arguments.add("--celeriac.api.keys=" + ADMIN + ":admin," + READ + ":read");
        arguments.add("--celeriac.worker.enabled=false");
        // A queue no worker consumes: what is sent to it waits there, to be purged.
        arguments.add("--celeriac.topology.queues.default.kind=quorum");
        arguments.add("--celeriac.topology.queues." + IDLE_QUEUE + ".kind=quorum");
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(arguments.toArray(String[]::new));
        base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        var workerArguments = TestApps.brokerArguments(rabbit.endpoint());
        workerArguments.add("--celeriac.demo.fault-tasks=true");
        workerArguments.add("--celeriac.worker.queues.default.concurrency=4");
        worker = TestApps.worker(DemoWorker.class, workerArguments);
        await().atMost(WAIT)
                .until(() -> rest("GET", "/api/v1/workers", null, ADMIN)
                                .path("workers")
                                .size()
                        == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        TestApps.close(worker, api);
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(WebDriver::quit);
    }

    @Test
    @Order(1)
    void signsInWithAKeyAndTheOverviewCountsWhatTheLedgerHolds() throws Exception {
        // The ledger is empty before this test: five successes and one failure are all it holds.
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit("{\"task\": \"demo.add\", \"args\": [" + i + ", 40]}"));
        }
        ids.add(submit("{\"task\": \"demo.fail\", \"args\": [\"payment service said no\"]}"));
        ids.forEach(id -> awaitState(id, "SUCCESS", "FAILURE"));

        WebDriver browser = browser();
        browser.get(base + "/");
        typeKey(browser, "not-a-key-this-api-knows");
        assertThat(waitFor(browser, By.id("sign-in-error")).getText()).isEqualTo("The API does not know this key.");
        shot(browser, "sign-in");
        typeKey(browser, ADMIN);
        waitFor(browser, By.id("count-ALL"));

        awaitText(browser, By.id("count-ALL"), "6");
        assertThat(browser.findElement(By.id("count-SUCCESS")).getText()).isEqualTo("5");
        assertThat(browser.findElement(By.id("count-FAILURE")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.id("count-PENDING")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.id("workers-alive")).getText()).isEqualTo("1 of 1 known");
        assertThat(browser.findElement(By.id("role")).getText()).isEqualTo("admin key");
        shot(browser, "overview");

        // The same page on a phone's screen.
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        awaitText(browser, By.id("count-ALL"), "6");
        shot(browser, "overview-phone");
    }

    @Test
    @Order(2)
    void findsATaskByAnArgumentOpensItAndRunsItAgainWithTheSameArguments() throws Exception {
        String order = "ORD-" + UUID.randomUUID().toString().substring(0, 8);
        String wanted = null;
        for (int i = 0; i < 30; i++) {
            String id = submit("{\"task\": \"demo.echo\", \"kwargs\": {\"order\": \"%s\", \"customer\": \"c-%d\"}}"
                    .formatted(i == 17 ? order : "ORD-other-" + i, i));
            if (i == 17) {
                wanted = id;
            }
        }
        String original = wanted;
        awaitState(original, "SUCCESS");

        WebDriver browser = signedIn(ADMIN);
        browser.findElement(By.linkText("Tasks")).click();
        WebElement search = waitFor(browser, By.id("filter-search"));
        search.sendKeys(order.substring(4));
        search.submit();
        // One row: the task whose keyword arguments hold the order, found by a part of it.
        await().atMost(WAIT).untilAsserted(() -> assertThat(taskRows(browser)).containsExactly(original));
        assertThat(browser.getCurrentUrl()).contains("search=" + order.substring(4));
        shot(browser, "tasks-search");

        browser.findElement(By.cssSelector("tr[data-task='" + original + "'] a"))
                .click();
        awaitText(browser, By.id("task-id"), original);
        assertThat(browser.findElement(By.id("task-kwargs")).getText()).contains("\"order\": \"" + order + "\"");
        assertThat(browser.findElement(By.id("task-result")).getText()).contains(order);
        assertThat(browser.findElements(By.cssSelector("#timeline li")))
                .extracting(li -> li.findElement(By.className("badge")).getText())
                .containsExactly("PENDING", "RECEIVED", "STARTED", "SUCCESS");
        shot(browser, "task");

        browser.findElement(By.id("retry")).click();
        // The page moves to the new task, which runs and succeeds while the page watches.
        new WebDriverWait(browser, WAIT)
                .ignoring(StaleElementReferenceException.class)
                .until(d -> !d.findElement(By.id("task-id")).getText().equals(original));
        String again = browser.findElement(By.id("task-id")).getText();
        awaitText(browser, By.cssSelector("#task-state .badge"), "SUCCESS");
        JsonNode rerun = rest("GET", "/api/v1/tasks/" + again, null, ADMIN);
        assertThat(rerun.path("task").asString()).isEqualTo("demo.echo");
        assertThat(rerun.path("kwargs").path("order").asString()).isEqualTo(order);
        assertThat(rerun.path("kwargs").path("customer").asString()).isEqualTo("c-17");
        assertThat(rest("GET", "/api/v1/tasks/" + original, null, ADMIN)
                        .path("state")
                        .asString())
                .isEqualTo("SUCCESS");
    }

    @Test
    @Order(3)
    void showsARunningTaskFinishWithoutBeingReloaded() throws Exception {
        Path gate = scratch.resolve("gate");
        String id = submit("{\"task\": \"demo.hold\", \"args\": [\"%s\", 7]}".formatted(gate));
        awaitState(id, "STARTED");

        WebDriver browser = signedIn(ADMIN);
        browser.get(base + "/ui/#/tasks/" + id);
        awaitText(browser, By.cssSelector("#task-state .badge"), "STARTED");
        assertThat(browser.findElements(By.id("revoke"))).hasSize(1);
        assertThat(browser.findElements(By.id("retry"))).isEmpty();
        shot(browser, "task-running");
        String page = (String) ((ChromeDriver) browser).executeScript("return String(performance.timeOrigin)");

        Files.writeString(gate, "go");
        awaitText(browser, By.cssSelector("#task-state .badge"), "SUCCESS");
        assertThat(browser.findElement(By.id("task-result")).getText()).isEqualTo("7");
        // The same document: the state changed on screen, not by loading the page again.
        assertThat((String) ((ChromeDriver) browser).executeScript("return String(performance.timeOrigin)"))
                .isEqualTo(page);
    }

    @Test
    @Order(3)
    void showsTheProgressATaskReportsAsItGoes() throws Exception {
        Path gate = scratch.resolve("stage");
        Files.writeString(Path.of(gate + "-1"), "go");
        String id = submit("{\"task\": \"demo.stages\", \"args\": [\"%s\", 4]}".formatted(gate));

        WebDriver browser = signedIn(ADMIN);
        browser.get(base + "/ui/#/tasks/" + id);
        // One stage of four done: a quarter, then half once the test lets the second stage through.
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.attributeToBe(By.id("task-progress"), "value", "25"));
        Files.writeString(Path.of(gate + "-2"), "go");
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.attributeToBe(By.id("task-progress"), "value", "50"));
        shot(browser, "task-progress");
        Files.writeString(Path.of(gate + "-3"), "go");
        Files.writeString(Path.of(gate + "-4"), "go");
        awaitText(browser, By.cssSelector("#task-state .badge"), "SUCCESS");
        assertThat(browser.findElement(By.id("task-result")).getText()).isEqualTo("4");
        assertThat(browser.findElements(By.id("task-progress"))).isEmpty();
    }

    @Test
    @Order(4)
    void replaysADeadLetterFromItsPage() throws Exception {
        String reason = "declined-" + UUID.randomUUID();
        String id = submit("{\"task\": \"demo.fail\", \"args\": [\"%s\"]}".formatted(reason));
        await().atMost(WAIT).until(() -> deadLettersOf(id).size() == 1);

        WebDriver browser = signedIn(ADMIN);
        browser.findElement(By.linkText("Dead letters")).click();
        By row = By.xpath("//tr[td/a[@aria-label='Task " + id + "']]");
        WebElement letter = waitFor(browser, row);
        assertThat(letter.getText()).contains(reason).contains("demo.fail");
        shot(browser, "dead-letters");

        letter.findElement(By.xpath(".//button[text()='Replay']")).click();
        // The replayed run fails again: its new dead letter says it is the task's first replay.
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(deadLettersOf(id))
                        .extracting(d -> d.path("replay").asInt())
                        .containsExactly(1));
        List<String> history = StreamSupport.stream(
                        rest("GET", "/api/v1/tasks/" + id + "/history", null, ADMIN)
                                .path("history")
                                .spliterator(),
                        false)
                .map(e -> e.path("replay").asInt() + ":" + e.path("state").asString())
                .toList();
        assertThat(history).containsSubsequence("0:FAILURE", "1:PENDING", "1:FAILURE");
    }

    @Test
    @Order(5)
    void revokesEveryTaskAFilterMatchesAfterShowingHowMany() throws Exception {
        String tag = "later-" + UUID.randomUUID().toString().substring(0, 8);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit(
                    "{\"task\": \"demo.echo\", \"kwargs\": {\"batch\": \"%s\"}, \"countdown\": 3600}".formatted(tag)));
        }
        String finished = submit("{\"task\": \"demo.echo\", \"kwargs\": {\"batch\": \"%s\"}}".formatted(tag));
        awaitState(finished, "SUCCESS");

        WebDriver browser = signedIn(ADMIN);
        browser.get(base + "/ui/#/tasks?search=" + tag);
        await().atMost(WAIT).untilAsserted(() -> assertThat(taskRows(browser)).hasSize(4));
        browser.findElement(By.id("bulk-revoke")).click();
        WebElement dialog = waitFor(browser, By.cssSelector("dialog.confirm"));
        // Four match; the one that finished cannot be revoked, so three are offered.
        assertThat(dialog.findElement(By.id("confirm-title")).getText()).isEqualTo("Revoke 3 tasks?");
        shot(browser, "tasks-bulk-revoke");
        dialog.findElement(By.id("confirm-ok")).click();

        // They wait an hour in the broker for their ETA: revoked now, dropped by the worker they reach then.
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(ids)
                        .allSatisfy(id -> assertThat(rest("GET", "/api/v1/tasks/" + id, null, ADMIN)
                                        .path("revokedAt")
                                        .isNull())
                                .isFalse()));
        JsonNode done = rest("GET", "/api/v1/tasks/" + finished, null, ADMIN);
        assertThat(done.path("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.path("revokedAt").isNull()).isTrue();
        browser.get(base + "/ui/#/tasks/" + ids.getFirst());
        assertThat(waitFor(browser, By.id("task-revoked")).getText()).startsWith("Revoked");
        assertThat(browser.findElements(By.id("revoke"))).isEmpty();
    }

    @Test
    @Order(6)
    void aReadKeySeesNoButtonItsRoleMayNotUse() throws Exception {
        String failed = submit("{\"task\": \"demo.fail\", \"args\": [\"read-only look\"]}");
        await().atMost(WAIT).until(() -> deadLettersOf(failed).size() == 1);

        WebDriver browser = signedIn(READ);
        assertThat(browser.findElement(By.id("role")).getText()).isEqualTo("read key");
        browser.get(base + "/ui/#/tasks/" + failed);
        awaitText(browser, By.cssSelector("#task-state .badge"), "FAILURE");
        assertThat(browser.findElement(By.id("task-error")).getText()).contains("read-only look");
        assertThat(browser.findElements(By.id("retry"))).isEmpty();
        assertThat(browser.findElements(By.id("revoke"))).isEmpty();

        browser.get(base + "/ui/#/dead-letters");
        waitFor(browser, By.xpath("//tr[td/a[@aria-label='Task " + failed + "']]"));
        assertThat(browser.findElements(By.xpath("//button[text()='Replay']"))).isEmpty();
        assertThat(browser.findElements(By.id("replay-all"))).isEmpty();

        browser.get(base + "/ui/#/tasks");
        waitFor(browser, By.id("results"));
        assertThat(browser.findElements(By.id("bulk-revoke"))).isEmpty();

        browser.get(base + "/ui/#/workers");
        waitFor(browser, By.cssSelector("tr[data-worker]"));
        assertThat(browser.findElements(By.id("ping-all"))).isEmpty();
        // What the page does not offer, the API refuses too.
        assertThat(status("POST", "/api/v1/tasks/" + failed + "/retry", READ)).isEqualTo(403);
    }

    @Test
    @Order(7)
    void showsWorkersAndSchedulesAndPingsAWorker() throws Exception {
        String schedule = "nightly-report";
        assertThat(status(
                        "PUT",
                        "/api/v1/schedules/" + schedule,
                        ADMIN,
                        "{\"cron\": \"30 2 * * *\", \"zone\": \"Europe/Berlin\", \"task\": \"demo.log\","
                                + " \"args\": [\"report\"]}"))
                .isEqualTo(201);

        WebDriver browser = signedIn(ADMIN);
        browser.findElement(By.linkText("Workers")).click();
        WebElement row = waitFor(browser, By.cssSelector("tr[data-worker]"));
        assertThat(row.getText()).contains("alive").contains("default");
        browser.findElement(By.id("ping-all")).click();
        awaitText(browser, By.cssSelector("#toast .message"), "1 answered: " + row.getAttribute("data-worker"));
        shot(browser, "workers");
        // One more slot: the worker's next heartbeat reports the pool it now has.
        assertThat(row.findElement(By.className("pool")).getText()).isEqualTo("platform × 4");
        row.findElement(By.xpath(".//button[text()='+1 slot']")).click();
        awaitText(browser, By.cssSelector("tr[data-worker] .pool"), "platform × 5");

        browser.findElement(By.linkText("Schedules")).click();
        WebElement scheduled = waitFor(browser, By.cssSelector("tr[data-schedule='" + schedule + "']"));
        assertThat(scheduled.getText())
                .contains("30 2 * * *")
                .contains("Europe/Berlin")
                .contains("active");
        scheduled.findElement(By.xpath(".//button[text()='Pause']")).click();
        awaitText(browser, By.cssSelector("tr[data-schedule='" + schedule + "'] .badge"), "paused");
        assertThat(rest("GET", "/api/v1/schedules/" + schedule, null, ADMIN)
                        .path("paused")
                        .asBoolean())
                .isTrue();
        shot(browser, "schedules");
    }

    @Test
    @Order(8)
    void drawsAWorkflowAsATreeWithTheStateOfEachTask() throws Exception {
        var answer = send("POST", "/api/v1/workflows", ADMIN, """
                {"chord": {"group": [{"task": "demo.add", "args": [1, 2]}, {"task": "demo.add", "args": [3, 4]},
                 {"task": "demo.add", "args": [5, 6]}]}, "body": {"task": "demo.sum"}}""");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        JsonNode workflow = json.readTree(answer.body());
        String body = workflow.path("resultIds").get(0).asString();
        awaitState(body, "SUCCESS");

        WebDriver browser = signedIn(ADMIN);
        // A page still loading when another is asked for must not draw over it: once the overview has asked for its
        // data, the workflow is asked for in the same document, and the overview's answer is held until the workflow
        // is drawn.
        var page = (JavascriptExecutor) browser;
        page.executeScript("""
                const real = window.fetch;
                const workflow = arguments[0];
                window.fetch = (url, init) => {
                    if (!String(url).includes('/api/v1/overview')) return real(url, init);
                    window.fetch = real;
                    setTimeout(() => { location.hash = workflow; }, 100);
                    return new Promise(drawn => {
                        const look = setInterval(() => {
                            if (document.querySelector('main .tree')) { clearInterval(look); drawn(); }
                        }, 50);
                    }).then(() => real(url, init));
                };
                location.hash = '#/tasks';
                setTimeout(() => { location.hash = '#/'; }, 200);""", "#/workflows/" + workflow.path("id").asString());
        // The router notes a page that finished loading after it was left: once the overview is noted, it has had
        // its chance to draw, and the workflow must be what the page shows.
        await().atMost(WAIT)
                .until(() -> String.valueOf(
                                page.executeScript("return document.getElementById('main').dataset.discarded"))
                        .contains("Overview"));
        waitFor(browser, By.cssSelector(".tree"));
        assertThat(browser.findElement(By.cssSelector("main h1")).getText()).isEqualTo("Workflow");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(browser.findElements(By.cssSelector(".tree .badge")))
                        .extracting(WebElement::getText)
                        .containsOnly("SUCCESS")
                        .hasSize(4));
        assertThat(browser.findElement(By.id("chords-title")).getText()).isEqualTo("Chords");
        assertThat(browser.findElement(By.cssSelector("main")).getText()).contains("3 parts");
        shot(browser, "workflow");

        // A chain: the first task's page lists the second as its child.
        var chain = send("POST", "/api/v1/workflows", ADMIN, """
                {"chain": [{"task": "demo.add", "args": [1, 2]}, {"task": "demo.add", "args": [10]}]}""");
        assertThat(chain.statusCode()).as(chain.body()).isEqualTo(202);
        JsonNode ids = json.readTree(chain.body()).path("taskIds");
        awaitState(ids.get(1).asString(), "SUCCESS");
        browser.get(base + "/ui/#/tasks/" + ids.get(0).asString());
        WebElement children = waitFor(browser, By.id("task-children"));
        assertThat(children.findElements(By.tagName("a")))
                .extracting(a -> a.getAttribute("href"))
                .containsExactly(base + "/ui/#/tasks/" + ids.get(1).asString());
    }

    @Test
    @Order(9)
    void purgesAQueueFromTheOverviewAndItsTasksEndRevoked() throws Exception {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 2; i++) {
            ids.add(submit("{\"task\": \"demo.add\", \"args\": [%d, 1], \"queue\": \"%s\"}".formatted(i, IDLE_QUEUE)));
        }

        WebDriver browser = signedIn(ADMIN);
        By ready = By.xpath("//tr[th/a[text()='" + IDLE_QUEUE + "']]/td[1]");
        awaitText(browser, ready, "2");
        browser.findElement(By.id("purge-" + IDLE_QUEUE)).click();
        WebElement dialog = waitFor(browser, By.cssSelector("dialog.confirm"));
        assertThat(dialog.getText()).contains("Its 2 ready messages are removed");
        dialog.findElement(By.id("confirm-ok")).click();
        awaitText(browser, By.cssSelector("#toast .message"), "Purged 2 messages from " + IDLE_QUEUE + ".");

        for (String id : ids) {
            JsonNode history =
                    rest("GET", "/api/v1/tasks/" + id + "/history", null, ADMIN).path("history");
            JsonNode last = history.get(history.size() - 1);
            assertThat(last.path("state").asString() + " " + last.path("detail").asString())
                    .isEqualTo("REVOKED purged");
        }
        awaitText(browser, ready, "0");
    }

    // --- the browser ---

    private WebDriver browser() throws IOException {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory(scratch, "chromium"));
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        var driver = new ChromeDriver(service, options);
        browsers.add(driver);
        return driver;
    }

    private WebDriver signedIn(String key) throws IOException {
        WebDriver browser = browser();
        browser.get(base + "/ui/");
        typeKey(browser, key);
        waitFor(browser, By.cssSelector("#top:not([hidden])"));
        return browser;
    }

    private static void typeKey(WebDriver browser, String key) {
        WebElement field = waitFor(browser, By.id("key"));
        field.clear();
        field.sendKeys(key);
        field.submit();
    }

    private static WebElement waitFor(WebDriver browser, By what) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(what));
    }

    private static void awaitText(WebDriver browser, By what, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBe(what, text));
    }

    /** The ids of the task list's rows, read at once: the list is redrawn as it refreshes. */
    @SuppressWarnings("unchecked")
    private static List<String> taskRows(WebDriver browser) {
        return (List<String>) ((ChromeDriver) browser)
                .executeScript(
                        "return [...document.querySelectorAll('#results tr[data-task]')].map(r => r.dataset.task)");
    }

    private static void shot(WebDriver browser, String name) throws IOException {
        // Let the last refresh settle (fonts, the toast) before the picture.
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElements(By.className("loading")).isEmpty());
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    // --- the API, as a script would call it ---

    private static String submit(String body) throws Exception {
        var answer = send("POST", "/api/v1/tasks", ADMIN, body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json.readTree(answer.body()).path("id").asString();
    }

    private static void awaitState(String id, String... states) {
        await().atMost(WAIT)
                .until(() -> Set.of(states)
                        .contains(rest("GET", "/api/v1/tasks/" + id, null, ADMIN)
                                .path("state")
                                .asString()));
    }

    private static List<JsonNode> deadLettersOf(String taskId) throws Exception {
        return StreamSupport.stream(
                        rest("GET", "/api/v1/dead-letters", null, ADMIN)
                                .path("deadLetters")
                                .spliterator(),
                        false)
                .filter(d -> d.path("taskId").asString().equals(taskId))
                .toList();
    }

    private static JsonNode rest(String method, String path, String body, String key) throws Exception {
        var answer = send(method, path, key, body);
        assertThat(answer.statusCode())
                .as(method + " " + path + ": " + answer.body())
                .isLessThan(300);
        return json.readTree(answer.body());
    }

    private static int status(String method, String path, String key) throws Exception {
        return send(method, path, key, null).statusCode();
    }

    private static int status(String method, String path, String key, String body) throws Exception {
        return send(method, path, key, body).statusCode();
    }

    private static HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return new ApiCalls(base, key).send(method, path, body);
    }
}
