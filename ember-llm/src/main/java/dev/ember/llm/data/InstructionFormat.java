package dev.ember.llm.data;

/** LLaMA-Factory's two dataset formats (see {@link InstructionData}). */
public enum InstructionFormat {
    /** {@code instruction}, {@code input}, {@code output}, optional {@code system} and {@code history}. */
    ALPACA,
    /** {@code conversations}: a list of {@code {"from": "human"|"gpt"|"system", "value": ...}}, optional {@code system}. */
    SHAREGPT
}
