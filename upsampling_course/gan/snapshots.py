"""Keep the best-scoring generator seen so far, so that stopping later never loses it.

A GAN's generator does not improve monotonically: the two networks chase
each other and a generator that met the lab's targets at one scoring can
miss them at the next. :class:`BestSnapshot` is scored along with training
(``trainer.train(..., callback=snapshot.update)`` or by hand) and keeps a
copy of the sampling generator whenever it meets the targets with a lower
Fréchet ratio than any copy before; :attr:`generator` is then the network a
student should sample from. ``benchmarks/lab_speed.py --keep-best`` measures
it on a second, independent batch of latent vectors.
"""

from __future__ import annotations

from upsampling_course.gan.networks import keras_module


class BestSnapshot:
    """The best generator of a training run by the quality score, chosen on its own latent seed."""

    def __init__(self, scorer, num_images: int = 1000, seed: int = 123):
        self.scorer = scorer
        self.num_images = num_images
        self.seed = seed
        self.generator = (
            None  # a copy of the best sampling generator so far, once one met the targets
        )
        self.score = None  # its score on the selection batch
        self.steps = None  # the training step it was taken at

    def update(self, trainer):
        """Score ``trainer``'s generator now; keep a copy if it is the best that meets the targets.

        Returns the score. Until some scoring meets all three targets,
        :attr:`generator` stays ``None`` and callers use the trainer's own.
        """
        score = self.scorer.score(trainer.generate(self.num_images, seed=self.seed))
        better = self.score is None or score.frechet_ratio < self.score.frechet_ratio
        if score.meets_targets() and better:
            source = trainer.sampling_generator
            if self.generator is None:
                self.generator = keras_module().models.clone_model(source)
            self.generator.set_weights(source.get_weights())
            self.score, self.steps = score, trainer.history.steps
        return score
