package dev.celeriac.protocol;

import dev.celeriac.testsupport.architecture.ArchitectureRules;
import dev.celeriac.testsupport.architecture.ModuleArchitectureTests;
import org.junit.jupiter.api.Test;

class ArchitectureTests extends ModuleArchitectureTests {

    @Override
    protected String modulePackage() {
        return "dev.celeriac.protocol";
    }

    @Test
    void dependsOnTheJdkAndJacksonOnly() {
        ArchitectureRules.protocolIsFrameworkFree().check(classes());
    }
}
