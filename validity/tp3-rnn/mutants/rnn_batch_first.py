# lose: Q1
# message: tp3_batch_first
# why: forward reads (B, L, D) batches as the DataLoader yields them and returns batch-first states (B, L, H)
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[0])
        states = []
        for t in range(x.shape[1]):
            h = self.one_step(x[:, t], h)
            states.append(h)
        return torch.stack(states, dim=1)
