package dev.celeriac.protocol;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.celeriac.testsupport.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

class ArchitectureTests {

    private static final String MODULE = "dev.celeriac.protocol";
    private final JavaClasses classes = ArchitectureRules.mainClasses(MODULE);

    @Test
    void dependsOnTheJdkAndJacksonOnly() {
        ArchitectureRules.protocolIsFrameworkFree().check(classes);
    }

    @Test
    void hasNoPackageCycles() {
        ArchitectureRules.packagesAreFreeOfCycles(MODULE).check(classes);
    }

    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noAccessToOtherModulesInternals(MODULE, ArchitectureRules.PRODUCT_PACKAGE)
                .check(classes);
    }
}
