# syntax=docker/dockerfile:1
# Builds the Celeriac API and worker images from source:
#   docker build --target api -t celeriac-api .
#   docker build --target worker -t celeriac-worker .
# docker-compose.yml builds both. The API's image also holds the celeriac command line: docker exec <api> celeriac --help. The images run as an unprivileged user, size the heap from the container's
# memory limit, exit on OutOfMemoryError (so the orchestrator restarts them) and report health from
# /actuator/health. Extra JVM flags go in JDK_JAVA_OPTIONS.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY test-support/ test-support/
COPY protocol/ protocol/
COPY producer/ producer/
COPY worker/ worker/
COPY api/ api/
COPY cli/ cli/
# Modules the images do not need: Maven reads their poms to know the reactor.
COPY monitoring/pom.xml monitoring/
COPY deploy/pom.xml deploy/
COPY bench/pom.xml bench/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl api,worker,cli -am package

FROM eclipse-temurin:25-jre AS runtime
# curl answers the health checks; the rest of the image is Temurin's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 celeriac \
    && useradd --system --uid 10001 --gid celeriac --home-dir /app --shell /usr/sbin/nologin celeriac \
    && install -d -o celeriac -g celeriac /app
WORKDIR /app
USER celeriac:celeriac

FROM runtime AS api
COPY --from=build /src/api/target/celeriac-api.jar /app/celeriac-api.jar
COPY --from=build /src/cli/target/celeriac-cli.jar /app/celeriac-cli.jar
COPY --chmod=755 cli/src/main/dist/celeriac /usr/local/bin/celeriac
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS http://localhost:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/celeriac-api.jar"]

FROM runtime AS worker
COPY --from=build --chown=celeriac:celeriac /src/worker/target/celeriac-worker.jar /app/celeriac-worker.jar
# A worker starts in well under half the time of the plain jar (docs/benchmarks.md, "Worker start"): the jar is
# extracted into a plain class path, and a training run, which exits once the application context is refreshed and
# so needs no broker, writes a JDK AOT cache of the classes that start loads and links. The cache holds only for
# this JVM and this class path, which is why it is made here, in the image that runs it.
RUN java -Djarmode=tools -jar /app/celeriac-worker.jar extract --destination /app/worker \
    && rm /app/celeriac-worker.jar \
    && cd /app/worker \
    && java -XX:AOTCacheOutput=/app/worker/celeriac-worker.aot -Xlog:aot=error,cds=error \
        -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -Dspring.context.exit=onRefresh -jar /app/worker/celeriac-worker.jar \
        --spring.main.banner-mode=off --server.port=0
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://localhost:8081/actuator/health || exit 1
# SIGTERM (docker stop, scale down) drains: running tasks finish within the grace period, the rest requeue.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:AOTCache=/app/worker/celeriac-worker.aot", "-Xlog:aot=error,cds=error", "-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/worker/celeriac-worker.jar"]
