package dev.ember.backend.opencl;

import dev.ember.testing.BackendContractSuite;

/** The backend contract on the first OpenCL device (PoCL's CPU device in CI), with the CPU as the oracle. */
class OpenClContractTest extends BackendContractSuite { OpenClContractTest() { super("opencl"); } }
