package dev.ember.backend.cpu;

import dev.ember.testing.BackendContractSuite;

/** The backend contract on the CPU, the oracle itself: its fused capabilities against composed primitives, its errors, its semantics. */
class CpuContractTest extends BackendContractSuite { CpuContractTest() { super("cpu"); } }
