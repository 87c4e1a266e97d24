"""Demo submission: exercise 2 done (in a .py file), exercise 3 not started."""
import torch
import torch.nn as nn


class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.latent = latent
        self.cell = nn.Linear(dim + latent, latent)  # one Linear on [x, h]
        self.out = nn.Linear(latent, n_classes)

    def forward(self, x):
        h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype)
        for x_t in x:
            h = torch.relu(self.cell(torch.cat([x_t, h], dim=1)))
        return torch.softmax(self.out(h), dim=1)


def jacobian_h_U(U, W, x):
    raise NotImplementedError("jacobian_h_U")
