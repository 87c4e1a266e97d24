# lose: Q1
# message: tp3_no_hidden_bias
# why: forward returns the Python list of states (Q2-Q4 stack it consistently), and both Linears of the recurrence are built with bias=False: the b of tanh(W_i x + W_h h + b) is gone
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.input2hidden = nn.Linear(dim, latent, bias=False)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        hidden_states = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            hidden_states.append(h)
        return hidden_states

    def decode(self, h):
        return self.hidden2output(h)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(where), stations_as_batch(y).to(where)
            outputs = model.decode(torch.stack(model(x)))
            loss = F.mse_loss(outputs, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * y.shape[1]
            count += y.shape[1]
        losses.append(total / count)
    return losses
