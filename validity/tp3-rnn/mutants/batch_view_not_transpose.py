# lose: Q1, Q2, Q3, Q4
# message: tp3_batch_leak
# why: x.view(B, L, D) used as if it were a transpose: the sequences of the batch get mixed, so the model trains on scrambled sequences and every learning test fails too
class RNN(RNN):
    def forward(self, x, h=None):
        length, batch = x.shape[0], x.shape[1]
        if h is None:
            h = self.init_state(batch)
        x = x.view(batch, length, -1)
        states = []
        for t in range(length):
            h = self.one_step(x[:, t], h)
            states.append(h)
        return torch.stack(states)
