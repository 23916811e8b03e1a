package dev.celeriac.protocol.names;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NameRulesTests {

    @Test
    void acceptsCeleryStyleTaskAndQueueNames() {
        assertThat(NameRules.isValid("demo.add")).isTrue();
        assertThat(NameRules.isValid("proj.tasks:send_email")).isTrue();
        assertThat(NameRules.isValid("email-high")).isTrue();
        assertThat(NameRules.isValid("_private")).isTrue();
        assertThat(NameRules.isValid("x".repeat(200))).isTrue();
    }

    @Test
    void explainsEachRejectedName() {
        assertThat(NameRules.problem("queue name", "")).isEqualTo("queue name must not be empty");
        assertThat(NameRules.problem("queue name", "amq.direct"))
                .isEqualTo("queue name must not start with 'amq.', which RabbitMQ reserves");
        assertThat(NameRules.problem("task name", "x".repeat(201)))
                .isEqualTo("task name is 201 characters long; at most 200 are allowed");
        for (String bad : new String[] {"a.*", "a.#", "a b", "a\r\nb", "a;DROP TABLE tasks", "../x", ".x", "é"}) {
            assertThat(NameRules.problem("task name", bad)).as(bad).startsWith("task name may contain only");
        }
    }
}
