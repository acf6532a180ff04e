/**
 * Minimal reinforcement learning: the {@link dev.ember.rl.Environment} contract, the classic
 * {@link dev.ember.rl.CartPole} and a {@link dev.ember.rl.Reinforce} policy-gradient agent trained
 * with Ember's autograd.
 */
package dev.ember.rl;
