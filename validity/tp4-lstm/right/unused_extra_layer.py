# why: the reference GRU with a layer it builds and never uses (left from an experiment): costs nothing
class GRU(GRU):
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.unused = nn.Linear(latent, latent)
