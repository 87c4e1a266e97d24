# lose: Q1
# message: tp3_state_dtype
# why: forward creates its zero state with torch.zeros(B, H): float32 whatever the model's dtype
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = torch.zeros(x.shape[1], self.latent)
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)
