# lose: Q5a
# message: tp4_wraps_torch_cell
# why: wraps nn.GRUCell instead of writing the lab's GRU equations
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.cell = nn.GRUCell(dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        return self.cell(x, h)
