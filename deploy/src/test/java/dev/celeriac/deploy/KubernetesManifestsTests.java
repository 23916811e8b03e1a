package dev.celeriac.deploy;

import static dev.celeriac.deploy.Paths.container;
import static dev.celeriac.deploy.Paths.env;
import static dev.celeriac.deploy.Paths.get;
import static dev.celeriac.deploy.Paths.list;
import static dev.celeriac.deploy.Paths.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.BindingSpec;
import dev.celeriac.protocol.topology.ExchangeSpec;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.protocol.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes: every kustomization builds and validates against the Kubernetes, KEDA and RabbitMQ operator
 * schemas, declares exactly the code's topology, and gives the API and the workers what running as a fleet needs.
 */
class KubernetesManifestsTests {

    private static final String WORKER = "celeriac-worker";
    private static final String API = "celeriac-api";

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/development", "overlays/production"})
    void buildsAndValidatesAgainstTheKubernetesKedaAndRabbitmqSchemas(String kustomization) {
        Manifests manifests = Manifests.build(kustomization);
        Manifests.Command.Result validated = manifests.validate();
        assertThat(validated.output())
                .as("the validator's report")
                .contains(manifests.objects().size() + " objects, 0 invalid");
        assertThat(validated.exit()).isZero();
        assertThat(manifests.objects()).hasSizeGreaterThan(30);
    }

    /** The validator is only worth its green if it turns red: each object here breaks its schema in one way. */
    @Test
    void theValidatorRefusesWhatTheApiServerOrAnOperatorWould() {
        Manifests broken = Manifests.of("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: replicas-as-words}
                spec:
                  replicas: two
                  selector: {matchLabels: {app: x}}
                  template: {spec: {containers: [{name: x, image: x}]}}
                ---
                apiVersion: rabbitmq.com/v1beta1
                kind: Queue
                metadata: {name: misspelt-field}
                spec: {name: q, durabel: true, rabbitmqClusterReference: {name: celeriac-rabbitmq}}
                ---
                apiVersion: rabbitmq.com/v1beta1
                kind: Binding
                metadata: {name: no-cluster}
                spec: {source: celeriac.tasks, destination: default}
                ---
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: no-target}
                spec: {triggers: [{type: rabbitmq, metadata: {queueName: default}}]}
                ---
                apiVersion: example.com/v1
                kind: Unknown
                metadata: {name: unknown-api}
                """);
        Manifests.Command.Result validated = broken.validate();
        assertThat(validated.exit()).isEqualTo(1);
        assertThat(validated.output())
                .contains("INVALID apps/v1 Deployment replicas-as-words")
                .contains("INVALID rabbitmq.com/v1beta1 Queue misspelt-field")
                .contains("INVALID rabbitmq.com/v1beta1 Binding no-cluster")
                .contains("INVALID keda.sh/v1alpha1 ScaledObject no-target")
                .contains("INVALID example.com/v1 Unknown unknown-api")
                .contains("5 objects, 5 invalid");
    }

    @Test
    void declaresExactlyTheTopologyTheCodeDeclaresByDefault() {
        Manifests manifests = Manifests.build("base");
        Topology topology = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("celeriac.topology", Bindable.of(TopologyProperties.class))
                .topology();

        Set<ExchangeSpec> exchanges = manifests.ofKind("Exchange").stream()
                .map(o -> new ExchangeSpec((String) get(o, "spec", "name"), (String) get(o, "spec", "type")))
                .collect(Collectors.toSet());
        assertThat(exchanges).containsExactlyInAnyOrderElementsOf(topology.exchanges());

        Set<QueueSpec> queues = manifests.ofKind("Queue").stream()
                .map(o -> {
                    var arguments = new LinkedHashMap<String, Object>();
                    arguments.put("x-queue-type", get(o, "spec", "type"));
                    arguments.putAll(map(o, "spec", "arguments"));
                    return new QueueSpec((String) get(o, "spec", "name"), arguments);
                })
                .collect(Collectors.toSet());
        assertThat(queues).containsExactlyInAnyOrderElementsOf(topology.queues());

        Set<BindingSpec> bindings = manifests.ofKind("Binding").stream()
                .map(o -> new BindingSpec(
                        (String) get(o, "spec", "source"), (String) get(o, "spec", "destination"), (String)
                                get(o, "spec", "routingKey")))
                .collect(Collectors.toSet());
        assertThat(bindings).containsExactlyInAnyOrderElementsOf(topology.bindings());

        for (String kind : List.of("Exchange", "Queue", "Binding")) {
            assertThat(manifests.ofKind(kind))
                    .as("%s resources durable, in the vhost and cluster the pods use", kind)
                    .allSatisfy(o -> {
                        assertThat(get(o, "spec", "vhost")).isEqualTo("/");
                        assertThat(get(o, "spec", "rabbitmqClusterReference", "name"))
                                .isEqualTo("celeriac-rabbitmq");
                        if (!kind.equals("Binding")) {
                            assertThat(get(o, "spec", "durable")).isEqualTo(true);
                        }
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/development", "overlays/production"})
    void clientsKnowEveryRabbitmqNodeByItsOwnName(String kustomization) {
        Manifests manifests = Manifests.build(kustomization);
        int nodes = (Integer) get(manifests.get("RabbitmqCluster", "celeriac-rabbitmq"), "spec", "replicas");
        Map<String, Object> common = manifests.ofKind("ConfigMap").stream()
                .filter(o -> get(o, "metadata", "name").toString().startsWith("celeriac-common"))
                .findFirst()
                .orElseThrow();
        List<String> expected = IntStream.range(0, nodes)
                .mapToObj(i -> "celeriac-rabbitmq-server-" + i + ".celeriac-rabbitmq-nodes:5672")
                .toList();
        assertThat(get(common, "data", "SPRING_RABBITMQ_ADDRESSES").toString().split(","))
                .containsExactlyElementsOf(expected);
        for (String deployment : List.of(API, WORKER)) {
            assertThat(list(container(manifests.get("Deployment", deployment)), "envFrom"))
                    .as("%s reads the shared settings", deployment)
                    .anySatisfy(source ->
                            assertThat(get(source, "configMapRef", "name")).isEqualTo(get(common, "metadata", "name")));
        }
    }

    /**
     * The Deployments run the images the compose stack builds from the root Dockerfile (its {@code api} and
     * {@code worker} targets, which the monitoring checks run), and the cluster runs the compose stack's RabbitMQ.
     */
    @Test
    @SuppressWarnings("unchecked")
    void runsTheImagesAndTheBrokerTheComposeStackBuildsAndRuns() throws IOException {
        Map<String, Object> compose = new Yaml()
                .load(Files.readString(
                        Manifests.KUBERNETES.resolve("../../docker-compose.yml").normalize()));
        Map<String, Object> services = map(compose, "services");
        Manifests base = Manifests.build("base");
        for (String target : List.of("api", "worker")) {
            String image = get(services, target, "image").toString();
            assertThat(get(services, target, "build", "target")).as(target).isEqualTo(target);
            String deployed = container(base.get("Deployment", "celeriac-" + target))
                    .get("image")
                    .toString();
            assertThat(deployed.substring(0, deployed.indexOf(':')))
                    .as("the image of %s without its tag", target)
                    .isEqualTo(image.substring(0, image.indexOf(':')));
        }
        assertThat(get(base.get("RabbitmqCluster", "celeriac-rabbitmq"), "spec", "image"))
                .isEqualTo(get(services, "rabbitmq", "image"));
    }

    @ParameterizedTest
    @ValueSource(strings = {API, WORKER})
    void everyDeploymentProbesItsHealthGroupsHasResourcesAndABudget(String name) {
        Manifests manifests = Manifests.build("overlays/production");
        Map<String, Object> deployment = manifests.get("Deployment", name);
        Map<String, Object> container = container(deployment);
        assertThat(get(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(get(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(get(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(get(container, "resources", "requests", "cpu")).isNotNull();
        assertThat(get(container, "resources", "limits", "memory"))
                .as("a memory limit, which the JVM sizes its heap from")
                .isEqualTo(get(container, "resources", "requests", "memory"));
        assertThat(get(container, "securityContext", "allowPrivilegeEscalation"))
                .isEqualTo(false);
        assertThat(get(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"))
                .isEqualTo(true);
        assertThat(get(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"))
                .as("an upgrade starts new pods before it stops old ones")
                .isEqualTo(0);

        Map<String, Object> labels = map(deployment, "spec", "template", "metadata", "labels");
        Map<String, Object> budget = manifests.get("PodDisruptionBudget", name);
        assertThat(labels).containsAllEntriesOf(map(budget, "spec", "selector", "matchLabels"));
        assertThat(map(budget, "spec", "selector", "matchLabels")).isNotEmpty();
    }

    @Test
    void aWorkerDrainsWithinItsGracePeriodBeforeItIsKilled() {
        Manifests manifests = Manifests.build("base");
        Map<String, Object> worker = manifests.get("Deployment", WORKER);
        Map<String, Object> container = container(worker);
        Duration grace = Duration.parse(
                "PT" + env(container, "CELERIAC_WORKER_SHUTDOWN_GRACE").toUpperCase());
        int terminationGrace = (Integer) get(worker, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertThat(Duration.ofSeconds(terminationGrace))
                .as("time for the drain and for handing back what the worker prefetched")
                .isGreaterThanOrEqualTo(grace.plusSeconds(15));
        assertThat(list(container, "lifecycle", "preStop", "exec", "command"))
                .last()
                .asString()
                .contains("kill -TERM 1")
                .contains("while kill -0 1");
    }

    @Test
    void kedaScalesWorkersOnQueuedAndRunningTasksOfTheQueueTheyConsume() {
        Manifests manifests = Manifests.build("overlays/production");
        Map<String, Object> scaled = manifests.get("ScaledObject", WORKER);
        assertThat(get(scaled, "spec", "scaleTargetRef", "name")).isEqualTo(WORKER);
        assertThat((Integer) get(scaled, "spec", "minReplicaCount")).isPositive();
        Map<String, Object> trigger = map(list(scaled, "spec", "triggers").getFirst());
        assertThat(trigger.get("type")).isEqualTo("rabbitmq");
        Map<String, Object> metadata = map(trigger, "metadata");
        assertThat(metadata)
                .as("the management API counts unacknowledged (running) tasks; AMQP counts only ready ones")
                .containsEntry("protocol", "http")
                .containsEntry("mode", "QueueLength")
                .containsEntry("excludeUnacknowledged", "false")
                .containsEntry("queueName", TopologyNames.DEFAULT_QUEUE);
        int slots = Integer.parseInt(
                env(container(manifests.get("Deployment", WORKER)), "CELERIAC_WORKER_QUEUES_DEFAULT_CONCURRENCY"));
        assertThat(Integer.parseInt(metadata.get("value").toString()))
                .as("tasks per pod: at least a pod's slots, so that busy pods alone never ask for more pods")
                .isGreaterThanOrEqualTo(slots);
        assertThat((Integer) get(
                        scaled,
                        "spec",
                        "advanced",
                        "horizontalPodAutoscalerConfig",
                        "behavior",
                        "scaleDown",
                        "stabilizationWindowSeconds"))
                .isGreaterThanOrEqualTo(60);
        String authentication = (String) get(trigger, "authenticationRef", "name");
        assertThat(manifests.find("TriggerAuthentication", authentication)).isPresent();
    }
}
