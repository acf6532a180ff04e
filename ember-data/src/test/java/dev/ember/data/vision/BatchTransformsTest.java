package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Generator;
import dev.ember.Tensor;
import org.junit.jupiter.api.Test;

/** Batched augmentation against the per-image transforms drawing the same random numbers. */
class BatchTransformsTest {
    @Test
    void batchedRandomCropEqualsPerImageRandomCropWithTheSameDraws() {
        Tensor batch = Tensor.rand(5, 2, 6, 7);
        Tensor got = BatchTransforms.randomCrop(batch, 5, 2, new Generator(4));
        assertArrayEquals(new long[]{5, 2, 5, 5}, got.shape());
        Generator g = new Generator(4);
        RandomCrop perImage = new RandomCrop(5, 5, 2, 0);
        for (int i = 0; i < 5; i++)
            assertArrayEquals(perImage.apply(batch.select(0, i), g).toFloatArray(), got.select(0, i).contiguous().toFloatArray(), "sample " + i);
    }

    @Test
    void batchedFlipFlipsEachSampleIndependently() {
        Tensor batch = Tensor.rand(40, 1, 3, 4);
        Tensor got = BatchTransforms.randomHorizontalFlip(batch, 0.5, new Generator(8));
        Generator g = new Generator(8);
        int flipped = 0;
        for (int i = 0; i < 40; i++) {
            boolean flip = g.nextDouble() < 0.5;
            float[] x = batch.select(0, i).contiguous().toFloatArray(), y = got.select(0, i).contiguous().toFloatArray();
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 4; c++) assertEquals(x[r * 4 + (flip ? 3 - c : c)], y[r * 4 + c]);
            if (flip) flipped++;
        }
        assertTrue(flipped > 5 && flipped < 35, "some but not all samples flip: " + flipped);
    }
}
