package dev.celeriac.cli;

import dev.celeriac.testsupport.architecture.ModuleArchitectureTests;

class ArchitectureTests extends ModuleArchitectureTests {

    @Override
    protected String modulePackage() {
        return "dev.celeriac.cli";
    }
}
