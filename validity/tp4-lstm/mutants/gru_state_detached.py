# lose: Q5a
# message: tp4_state_detached
# why: detaches the hidden state between time steps in forward (values right, no gradient through time)
class GRU(GRU):
    def forward(self, x, h=None):
        state = self.init_state(x.shape[1]) if h is None else h
        hiddens = []
        for x_t in x:
            state = self.one_step(x_t, state.detach())
            hiddens.append(state)
        return torch.stack(hiddens)
