package dev.celeriac.producer;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.celeriac.testsupport.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

class ArchitectureTests {

    private static final String MODULE = "dev.celeriac.producer";
    private final JavaClasses classes = ArchitectureRules.mainClasses(MODULE);

    @Test
    void hasNoPackageCycles() {
        ArchitectureRules.packagesAreFreeOfCycles(MODULE).check(classes);
    }

    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noAccessToOtherModulesInternals(MODULE, ArchitectureRules.PRODUCT_PACKAGE)
                .check(classes);
    }

    @Test
    void keepsThePublicApiFreeOfItsImplementation() {
        ArchitectureRules.publicApiDoesNotExposeInternals(MODULE).check(classes);
    }
}
