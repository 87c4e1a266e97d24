"""Demo submission: a forward that never ends and a Jacobian that crashes."""
import torch
import torch.nn as nn


class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.U = nn.Linear(dim, latent)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        t = 0
        while t < x.shape[0]:  # t is never incremented
            h = torch.relu(self.U(x[t]))
        return torch.softmax(self.V(h), dim=1)


def jacobian_h_U(U, W, x):
    return torch.zeros(x.shape[0])[x.shape[0] + 1]
