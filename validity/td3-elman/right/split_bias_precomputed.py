# why: both U and W Linears carry a bias (b_h split in two); the input projection is computed for all steps at once
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.i2h = nn.Linear(dim, latent)
        self.h2h = nn.Linear(latent, latent)
        self.h2o = nn.Linear(latent, n_classes)

    def forward(self, x):
        projected = self.i2h(x)  # (T, B, H) in one call
        h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype, device=x.device)
        for p_t in projected.unbind(0):
            h = nn.functional.relu(p_t + self.h2h(h))
        return self.h2o(h).softmax(dim=1)
