# TD3 - RNN (exercices 2 et 3), rendu en .py
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
from tqdm import tqdm

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


########## Exercice 2 ##########

class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        # x : (B, T, d), batch en premier comme d'habitude
        B, T, _ = x.shape
        h = torch.zeros(B, self.latent, dtype=x.dtype, device=x.device)
        for t in range(T):
            h = torch.relu(self.U(x[:, t]) + self.W(h))
        return torch.softmax(self.V(h), dim=1)


B, T, d, nb_class = 5, 13, 7, 3
model = myRNN(d, 16, nb_class).to(device)
inputs = torch.randn(B, T, d).to(device)
out = model(inputs)
print(out.size())  # torch.Size([5, 3])

# petit entrainement sur des sequences aleatoires pour verifier que ca apprend
x_train = torch.randn(1000, T, d).to(device)
y_train = (x_train[:, -1, 0] > 0).long()
optim = torch.optim.Adam(model.parameters(), lr=1e-2)
losses = []
for epoch in tqdm(range(50)):
    proba = model(x_train)
    loss = F.nll_loss(torch.log(proba + 1e-9), y_train)
    optim.zero_grad()
    loss.backward()
    optim.step()
    losses.append(loss.item())
plt.plot(losses)
plt.show()


########## Exercice 3 ##########

def elman_states(U, W, x):
    h = x.new_zeros(U.shape[0])
    states = []
    for x_t in x:
        h = torch.tanh(U @ x_t + W @ h)
        states.append(h)
    return torch.stack(states)


def jacobian_h_U(U, W, x):
    """J[t, i, a, b] = dh_t[i] / dU[a, b]"""
    T, d = x.shape
    H = U.shape[0]
    h = elman_states(U, W, x)
    J = torch.zeros(T, H, H, d, dtype=x.dtype, device=x.device)
    prev = torch.zeros(H, H, d, dtype=x.dtype, device=x.device)  # dh_{-1}/dU = 0
    for t in range(T):
        direct = torch.zeros(H, H, d, dtype=x.dtype, device=x.device)
        for i in range(H):
            direct[i, i, :] = x[t]  # d(U x_t)_i / dU_ab = delta_ia x_t[b]
        rec = torch.einsum("ik,kab->iab", W, prev)
        J[t] = (1 - h[t] ** 2)[:, None, None] * (direct + rec)
        prev = J[t]
    return J


def bptt_grad_U(U, W, x, grad_h):
    """dL/dU par retropropagation dans le temps"""
    T = x.shape[0]
    h = elman_states(U, W, x)
    grad_U = torch.zeros_like(U)
    h_bar = grad_h[T - 1]
    for t in range(T - 1, -1, -1):
        if t < T - 1:
            h_bar = grad_h[t] + W @ (h_bar_next * (1 - h[t + 1] ** 2))
        delta = h_bar * (1 - h[t] ** 2)
        grad_U += torch.outer(delta, x[t])
        h_bar_next = h_bar
    return grad_U


# verification avec autograd
H_, d_, T_ = 4, 3, 5
U0 = torch.randn(H_, d_, dtype=torch.float64)
W0 = torch.randn(H_, H_, dtype=torch.float64) * 0.5
x0 = torch.randn(T_, d_, dtype=torch.float64)
J = jacobian_h_U(U0, W0, x0)
J_auto = torch.autograd.functional.jacobian(lambda u: elman_states(u, W0, x0), U0)
print("ecart jacobienne :", (J - J_auto).abs().max().item())
g_h = torch.randn(T_, H_, dtype=torch.float64)
G = bptt_grad_U(U0, W0, x0, g_h)
G_auto = torch.einsum("ti,tiab->ab", g_h, J_auto)
print("ecart bptt :", (G - G_auto).abs().max().item())
