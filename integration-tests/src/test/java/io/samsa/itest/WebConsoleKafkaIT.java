package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Samsa pages of the web console, driven by a real browser (Debian's Chromium, headless,
 * through chromedriver; bin/test installs both) against the assembled runtime: an operator
 * logs in, creates a topic, finds it, produces a message whose value is markup and sees it as
 * text, watches a real consumer group's lag, resets its offsets after a dry run, and deletes the
 * topic; a page of another site may change nothing.
 */
public class WebConsoleKafkaIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String TOPIC = "console-it.orders";
    private static final String GROUP = "console-it-billing";
    private static final String MARKUP = "<script>window.samsaInjected = true</script><b>bold</b> ${appRoot}";
    private static final Path SCREENSHOTS = Paths.get("target", "webconsole-screenshots");

    private SamsaProcess samsa;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String console;

    @Before
    public void startBrokerAndBrowser() throws Exception {
        assertTrue(CHROMIUM + " and " + CHROMEDRIVER + " are needed (bin/test installs chromium and chromium-driver)",
                Files.isExecutable(Paths.get(CHROMIUM)) && Files.isExecutable(Paths.get(CHROMEDRIVER)));
        Path data = SamsaOsgiTestSupport.tempDir("samsa-console-kafka");
        samsa = new SamsaProcess(data, Map.of()).start();
        String password = Files.readString(data.resolve("webconsole.password")).trim();
        WebConsoleClient http = new WebConsoleClient(samsa.httpPort, "admin", password);
        // the pages register once the broker's listener is up, a moment after the ready line
        KafkaClients.waitUntil("the Topics page", TIMEOUT, () -> {
            try {
                return http.get("/system/console/samsa-topics") != null;
            } catch (RuntimeException e) {
                return false;
            }
        });
        console = http.ownOrigin() + "/system/console";

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Paths.get(CHROMEDRIVER).toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // Logging in: the console uses HTTP Basic; the browser sends the operator's credentials with every request
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)))));
        wait = new WebDriverWait(browser, TIMEOUT);
    }

    @After
    public void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (samsa != null) {
            samsa.close();
        }
    }

    @Test
    public void anOperatorManagesTopicsMessagesAndGroupsInTheBrowser() throws Exception {
        // Cluster: the one broker, the controller, its log dir
        browser.get(console + "/samsa-cluster");
        assertTrue(text("cluster-id"), text("cluster-id").contains("controller broker 0"));
        assertTrue(text("brokers"), text("brokers").contains("127.0.0.1:" + samsa.kafkaPort));
        assertTrue(text("logdirs"), text("logdirs").contains("kafka-logs"));
        screenshot("cluster");

        // Topics: bad input is refused with Kafka's own words, then the topic is created
        browser.get(console + "/samsa-topics");
        createTopic("not a name!", "1", "1");
        assertTrue(notice("error"), notice("error").contains("Invalid topic name") && notice("error").contains("not a name!"));
        createTopic(TOPIC, "2", "3");
        assertTrue(notice("error"), notice("error").contains("InvalidReplicationFactorException"));
        createTopic(TOPIC, "two", "1");
        assertEquals("partitions must be a whole number, not 'two'", notice("error"));
        createTopic(TOPIC, "2", "1");
        assertTrue(notice("ok"), notice("ok").startsWith("Created topic " + TOPIC));
        assertEquals(TOPIC, text("topic-name"));
        assertEquals("two partitions, each led by broker 0", 2, browser.findElements(By.cssSelector("#partitions tbody tr")).size());
        screenshot("topic");

        // the list finds it by part of its name
        browser.get(console + "/samsa-topics");
        browser.findElement(By.id("search")).sendKeys("IT.ORD");
        click(By.id("search-button"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("topic-count"), "1 of"));
        assertEquals(TOPIC, browser.findElement(By.cssSelector("#topics tbody tr td a")).getText());
        screenshot("topics");

        // Messages: produce a value that is markup; it shows as text and runs nothing
        browser.get(console + "/samsa-messages?topic=" + TOPIC + "&partition=0");
        browser.findElement(By.id("produceKey")).sendKeys("order-1");
        browser.findElement(By.id("produceValue")).sendKeys(MARKUP);
        browser.findElement(By.id("produceHeaders")).sendKeys("trace: <i>t-1</i>");
        click(By.id("produce-button"));
        assertEquals("Produced to " + TOPIC + "-0 at offset 0", notice("ok"));
        WebElement messages = browser.findElement(By.id("messages"));
        assertTrue(messages.getText(), messages.getText().contains(MARKUP));
        assertTrue(messages.getText(), messages.getText().contains("trace: <i>t-1</i>"));
        assertTrue("no element was made of the value", messages.findElements(By.tagName("script")).isEmpty()
                && messages.findElements(By.tagName("b")).isEmpty() && messages.findElements(By.tagName("i")).isEmpty());
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.samsaInjected === undefined"));
        screenshot("messages");

        // a bad offset is named on the page
        browser.get(console + "/samsa-messages?topic=" + TOPIC + "&partition=0&start=offset&at=tenth");
        assertEquals("offset must be a whole number, not 'tenth'", notice("error"));

        // a real consumer group reads the message and commits; two more arrive: its lag is 2
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(samsa.bootstrap(), GROUP,
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            consumer.subscribe(List.of(TOPIC));
            assertEquals(1, KafkaClients.pollAtLeast(consumer, 1, TIMEOUT).size());
            consumer.commitSync();
        }
        try (KafkaProducer<String, String> producer = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "order-2", "{\"n\":2}")).get();
            producer.send(new ProducerRecord<>(TOPIC, 0, "order-3", "{\"n\":3}")).get();
        }
        // the JSON ones, found by key and shown indented
        browser.get(console + "/samsa-messages?topic=" + TOPIC + "&partition=0");
        new Select(browser.findElement(By.id("format"))).selectByVisibleText("json");
        type("key", "order-3");
        click(By.id("browse-button"));
        List<WebElement> found = browser.findElements(By.cssSelector("#messages tbody tr"));
        assertEquals(1, found.size());
        assertEquals("{\n  \"n\": 3\n}", found.get(0).findElement(By.cssSelector("td:nth-child(4) pre")).getText());

        // a config set and partitions added through the pages' forms, seen by Kafka's Admin API
        WebConsoleClient http = new WebConsoleClient(samsa.httpPort, "admin",
                Files.readString(samsa.dataDir.resolve("webconsole.password")).trim());
        assertEquals(303, http.postForm("/system/console/samsa-topics", http.ownOrigin(),
                "action=alterConfig&topic=" + TOPIC + "&name=retention.ms&value=3600000"));
        assertEquals(303, http.postForm("/system/console/samsa-topics", http.ownOrigin(),
                "action=addPartitions&topic=" + TOPIC + "&count=3"));
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            ConfigEntry retention = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms");
            assertEquals("3600000", retention.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());
            assertEquals(3, admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size());
        }
        browser.get(console + "/samsa-topics?topic=" + TOPIC);
        assertTrue(text("configs"), text("configs").contains("retention.ms 3600000 DYNAMIC_TOPIC_CONFIG"));

        browser.get(console + "/samsa-groups?search=billing");
        assertTrue(text("group-count"), text("group-count").startsWith("1 of"));
        List<WebElement> cells = browser.findElements(By.cssSelector("#groups tbody tr td"));
        assertEquals(GROUP, cells.get(0).getText());
        assertEquals("Empty", cells.get(1).getText());
        assertEquals("members", "0", cells.get(2).getText());
        assertEquals("total lag", "2", cells.get(4).getText());
        screenshot("groups");

        // reset to earliest: the dry run shows the move and changes nothing; Apply makes it
        click(By.linkText(GROUP));
        assertTrue(text("group-state"), text("group-state").contains("total lag 2"));
        String partition0 = browser.findElement(By.cssSelector("#offsets tbody tr")).getText();
        assertTrue("committed 1, end 3, lag 2 and the age of record 1: " + partition0,
                partition0.matches(TOPIC.replace(".", "\\.") + " 0 1 3 2 \\d+ (s|min)"));
        new Select(browser.findElement(By.id("strategy"))).selectByVisibleText("earliest");
        click(By.id("preview-button"));
        List<WebElement> preview = browser.findElements(By.cssSelector("#reset-preview tbody tr"));
        assertEquals(3, preview.size());
        assertEquals(TOPIC + " 0 1 0", preview.get(0).getText());
        assertEquals("commitSync committed the empty partition too", TOPIC + " 1 0 0", preview.get(1).getText());
        assertEquals("the added partition, never committed", TOPIC + " 2 none 0", preview.get(2).getText());
        assertEquals("the dry run changed nothing", 1L, committed(0));
        screenshot("group-reset-preview");
        click(By.id("apply-button"));
        assertTrue(notice("ok"), notice("ok").startsWith("Reset 3 partition(s) of group " + GROUP));
        assertEquals(0L, committed(0));
        assertTrue(text("group-state"), text("group-state").contains("total lag 3"));

        // delete the (empty) group, after ticking the confirmation
        browser.findElement(By.id("confirm-delete-group")).click();
        click(By.id("delete-group-button"));
        assertEquals("Deleted consumer group " + GROUP, notice("ok"));
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            assertTrue(admin.listGroups().all().get().stream().noneMatch(g -> g.groupId().equals(GROUP)));
        }

        // a page of another site cannot delete the topic, even with the operator's credentials
        assertEquals(403, http.postForm("/system/console/samsa-topics", "http://evil.example", "action=delete&topic=" + TOPIC));
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            assertTrue(admin.listTopics().names().get().contains(TOPIC));
        }

        // delete the topic, after the confirmation
        browser.get(console + "/samsa-topics?topic=" + TOPIC);
        click(By.linkText("delete topic"));
        click(By.id("confirm-delete"));
        assertEquals("Deleted topic " + TOPIC, notice("ok"));
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            KafkaClients.waitUntil(TOPIC + " gone", TIMEOUT, () -> {
                try {
                    return !admin.listTopics().names().get().contains(TOPIC);
                } catch (Exception e) {
                    return false;
                }
            });
        }
        browser.get(console + "/samsa-topics?search=console-it");
        assertTrue(text("topic-count"), text("topic-count").startsWith("0 of"));
    }

    private void createTopic(String name, String partitions, String replicationFactor) {
        if (!browser.getCurrentUrl().endsWith("/samsa-topics")) {
            browser.get(console + "/samsa-topics");
        }
        type("name", name);
        type("partitions", partitions);
        type("replicationFactor", replicationFactor);
        click(By.id("create-button"));
    }

    /** Clicks what leads to another page (a submit button, a link) and waits until the browser has left this one. */
    private void click(By what) {
        WebElement page = browser.findElement(By.tagName("html"));
        browser.findElement(what).click();
        wait.until(ExpectedConditions.stalenessOf(page));
    }

    private void type(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    /** The text of the page's ok or error notice, waiting for the page after a POST to show it. */
    private String notice(String kind) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("samsa-" + kind))).getText();
    }

    private String text(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id))).getText();
    }

    private long committed(int partition) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(tp);
            return offset == null ? -1 : offset.offset();
        }
    }

    private void screenshot(String page) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(page + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
