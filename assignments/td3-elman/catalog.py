"""Student-facing messages of the td3 grading tests (merged into messages.CATALOG).

Every key names one realistic mistake. None of these messages shows an expected value, so they
need no ``*_hidden`` variant; the generic ``values`` key (with its hidden variant) covers the rest.
"""

CATALOG: dict[str, dict[str, str]] = {
    # -- myRNN (Ex2-Q1): what forward returns ------------------------------------------------------
    "td3_returns_tuple": {
        "fr": "myRNN.forward renvoie {got} : le TD attend un seul tenseur (B, C) de probabilités, pas un "
        "tuple ou une liste (le reste de la question a été corrigé sur le premier élément).",
        "en": "myRNN.forward returns {got}: the tutorial expects a single (B, C) tensor of probabilities, not a "
        "tuple or a list (the rest of the question was graded on its first element).",
    },
    "td3_batch_first": {
        "fr": "myRNN.forward semble lire l'entrée en (B, T, d) : pour x de forme {shape} (T={T}, B={B}) il "
        "renvoie {got}. Le TD donne le temps d'abord, x de forme (T, B, d), et attend (B, C) ; "
        "bouclez sur x[t] (ou `for x_t in x`).",
        "en": "myRNN.forward seems to read its input as (B, T, d): for x of shape {shape} (T={T}, B={B}) it "
        "returns {got}. The tutorial puts time first, x of shape (T, B, d), and expects (B, C); "
        "loop over x[t] (or `for x_t in x`).",
    },
    "td3_all_steps": {
        "fr": "myRNN.forward renvoie une sortie par pas de temps, de forme {got} : le modèle est « plusieurs-"
        "vers-un », il ne doit décoder que le dernier état h_T et renvoyer (B, C) = {expected}.",
        "en": "myRNN.forward returns one output per time step, of shape {got}: the model is many-to-one, it must "
        "decode only the last state h_T and return (B, C) = {expected}.",
    },
    "td3_returns_state": {
        "fr": "myRNN.forward renvoie un tenseur de forme {got}, celle de l'état caché (B, H) : il manque le "
        "décodage y = softmax(V h_T + b_y), de forme (B, C) = {expected}.",
        "en": "myRNN.forward returns a tensor of shape {got}, the hidden state's (B, H): the decoding "
        "y = softmax(V h_T + b_y), of shape (B, C) = {expected}, is missing.",
    },
    "td3_constructor_order": {
        "fr": "myRNN(dim, latent, n_classes) : les formes de vos paramètres ({shapes}) correspondent à "
        "dim={dim}, latent={latent}, n_classes={n_classes} alors que le correcteur a appelé "
        "myRNN({d}, {H}, {C}). Gardez l'ordre des arguments du TD (dimension d'entrée, taille de "
        "l'état caché, nombre de classes) et vérifiez les tailles de vos nn.Linear.",
        "en": "myRNN(dim, latent, n_classes): your parameters' shapes ({shapes}) match dim={dim}, latent={latent}, "
        "n_classes={n_classes}, but the grader called myRNN({d}, {H}, {C}). Keep the tutorial's argument "
        "order (input size, hidden size, number of classes) and check the sizes of your nn.Linear.",
    },
    # -- probabilities -------------------------------------------------------------------------------
    "td3_no_softmax": {
        "fr": "myRNN.forward ne renvoie pas des probabilités : des valeurs sont négatives ou les lignes ne "
        "somment pas à 1 (ligne {row} : somme {total}). Le TD demande y = softmax(V h_T + b_y) "
        "(softmax sur les classes, dim=1 ou dim=-1), pas les scores bruts.",
        "en": "myRNN.forward does not return probabilities: some values are negative or rows do not sum to 1 "
        "(row {row}: sum {total}). The tutorial asks for y = softmax(V h_T + b_y) (softmax over the classes, "
        "dim=1 or dim=-1), not the raw scores.",
    },
    "td3_log_softmax": {
        "fr": "myRNN.forward renvoie des log-probabilités (log_softmax) : le TD demande les probabilités "
        "elles-mêmes, y = softmax(V h_T + b_y), positives et de somme 1 par ligne.",
        "en": "myRNN.forward returns log-probabilities (log_softmax): the tutorial asks for the probabilities "
        "themselves, y = softmax(V h_T + b_y), non-negative and summing to 1 per row.",
    },
    "td3_sigmoid": {
        "fr": "myRNN.forward renvoie des valeurs entre 0 et 1 qui ne somment pas à 1 par ligne (ligne {row} : "
        "somme {total}) : une sigmoïde ne donne pas une distribution sur les classes, il faut un softmax "
        "sur la dimension des classes.",
        "en": "myRNN.forward returns values between 0 and 1 that do not sum to 1 per row (row {row}: sum {total}): "
        "a sigmoid does not give a distribution over the classes, use a softmax over the class dimension.",
    },
    "td3_softmax_dim": {
        "fr": "myRNN.forward applique le softmax sur la mauvaise dimension : ce sont les colonnes (le batch) "
        "qui somment à 1, pas les lignes. Utilisez softmax(..., dim=1) (ou dim=-1) sur des scores (B, C).",
        "en": "myRNN.forward applies the softmax over the wrong dimension: the columns (the batch) sum to 1, not "
        "the rows. Use softmax(..., dim=1) (or dim=-1) on (B, C) scores.",
    },
    # -- equations -----------------------------------------------------------------------------------
    "td3_uses_nn_rnn": {
        "fr": "myRNN utilise {module} de PyTorch : le TD demande d'écrire la récurrence vous-même (une "
        "boucle sur le temps avec U, W, V), nn.RNN et nn.RNNCell sont interdits ici.",
        "en": "myRNN uses PyTorch's {module}: the tutorial asks you to write the recurrence yourself (a loop over "
        "time with U, W, V); nn.RNN and nn.RNNCell are not allowed here.",
    },
    "td3_params_missing": {
        "fr": "myRNN({d}, {H}, {C}) : aucun paramètre appris ne joue le rôle de {roles}. Déclarez chaque "
        "poids comme nn.Parameter ou dans un nn.Linear (un simple tenseur attribut n'est ni appris "
        "par l'optimiseur ni déplacé par .to(device)). Paramètres trouvés : {shapes}.",
        "en": "myRNN({d}, {H}, {C}): no learned parameter plays the role of {roles}. Declare every weight as an "
        "nn.Parameter or inside an nn.Linear (a plain tensor attribute is neither trained by the optimiser "
        "nor moved by .to(device)). Parameters found: {shapes}.",
    },
    "td3_layout_unknown": {
        "fr": "Les paramètres de myRNN n'ont pas pu être identifiés par leurs formes ({shapes}) : les équations "
        "n'ont pas pu être vérifiées exactement, seulement le comportement du modèle, et celui-ci ne "
        "convient pas : {problem_fr}",
        "en": "myRNN's parameters could not be identified from their shapes ({shapes}): the equations could not "
        "be checked exactly, only the model's behaviour, and it is not right: {problem_en}",
    },
    "td3_tanh": {
        "fr": "myRNN semble utiliser tanh comme non-linéarité : l'exercice 2 demande "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) (torch.relu), contrairement à l'exercice 1.",
        "en": "myRNN seems to use tanh as its non-linearity: exercise 2 asks for "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) (torch.relu), unlike exercise 1.",
    },
    "td3_not_relu": {
        "fr": "myRNN ne se comporte pas comme un réseau à ReLU : une fois ses biais mis à zéro, doubler l'entrée "
        "devrait exactement doubler les scores V h_T, et ce n'est pas le cas. L'exercice 2 demande "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) (torch.relu) à chaque pas, pas le tanh de l'exercice 1.",
        "en": "myRNN does not behave like a ReLU network: with its biases set to zero, doubling the input should "
        "exactly double the scores V h_T, and it does not. Exercise 2 asks for "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) (torch.relu) at every step, not exercise 1's tanh.",
    },
    "td3_no_activation": {
        "fr": "myRNN n'applique aucune non-linéarité à l'état caché : il faut "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) à chaque pas de temps.",
        "en": "myRNN applies no non-linearity to the hidden state: it needs "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) at every time step.",
    },
    "td3_activation_after_loop": {
        "fr": "myRNN applique la non-linéarité une seule fois, après la boucle : le ReLU doit être appliqué "
        "à chaque pas, h_t = ReLU(U x_t + W h_{{t-1}} + b_h), avant de servir au pas suivant.",
        "en": "myRNN applies the non-linearity only once, after the loop: the ReLU must be applied at every step, "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h), before the state feeds the next step.",
    },
    "td3_first_step": {
        "fr": "myRNN décode le premier état caché (ou ne dépend pas du dernier pas) : la sortie doit être "
        "calculée à partir du dernier état, y = softmax(V h_T + b_y), après avoir lu toute la séquence.",
        "en": "myRNN decodes the first hidden state (or does not depend on the last step): the output must come "
        "from the last state, y = softmax(V h_T + b_y), after reading the whole sequence.",
    },
    "td3_off_by_one": {
        "fr": "myRNN décode l'avant-dernier état h_{{T-1}} : le dernier pas de temps x_T n'a aucun effet sur la "
        "sortie. Décodez l'état obtenu après avoir lu x_T.",
        "en": "myRNN decodes the second-to-last state h_{{T-1}}: the last time step x_T has no effect on the "
        "output. Decode the state obtained after reading x_T.",
    },
    "td3_last_step_ignored": {
        "fr": "La sortie de myRNN ne change pas quand on modifie le dernier pas de temps x_T : elle doit "
        "être calculée à partir du dernier état h_T.",
        "en": "myRNN's output does not change when the last time step x_T changes: it must be computed from the "
        "last state h_T.",
    },
    "td3_state_not_carried": {
        "fr": "L'état caché de myRNN n'est pas transmis d'un pas au suivant : la sortie ne dépend que du "
        "dernier x_T. Mettez à jour h à chaque pas (h = relu(U x_t + W h + b_h)) et utilisez ce "
        "nouvel h au pas suivant ; seul l'état initial est nul.",
        "en": "myRNN's hidden state is not carried from one step to the next: the output depends on the last x_T "
        "only. Update h at every step (h = relu(U x_t + W h + b_h)) and use that new h at the next step; "
        "only the initial state is zero.",
    },
    "td3_order_ignored": {
        "fr": "La sortie de myRNN ne change pas quand on inverse l'ordre des pas de temps : un RNN doit "
        "lire la séquence dans l'ordre (une somme ou une moyenne sur le temps ne suffit pas).",
        "en": "myRNN's output does not change when the time steps are reversed: an RNN must read the sequence "
        "in order (a sum or a mean over time is not enough).",
    },
    "td3_missing_bias": {
        "fr": "myRNN n'a pas de paramètre pour {which} : le TD demande h_t = ReLU(U x_t + W h_{{t-1}} + b_h) "
        "et y = softmax(V h_T + b_y), avec les deux biais appris.",
        "en": "myRNN has no parameter for {which}: the tutorial asks for "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h) and y = softmax(V h_T + b_y), with both biases learned.",
    },
    "td3_equations": {
        "fr": "myRNN ne suit pas les équations du TD : avec des poids fixés par le correcteur, l'écart à "
        "h_t = ReLU(U x_t + W h_{{t-1}} + b_h), y = softmax(V h_T + b_y) atteint {worst} "
        "(tolérance {atol}). Vérifiez l'état initial (zéros), le ReLU, le biais, et le décodage du dernier état.",
        "en": "myRNN does not follow the tutorial's equations: with weights pinned by the grader, the difference "
        "to h_t = ReLU(U x_t + W h_{{t-1}} + b_h), y = softmax(V h_T + b_y) reaches {worst} (tolerance "
        "{atol}). Check the initial state (zeros), the ReLU, the bias and the decoding of the last state.",
    },
    "td3_batch_leak": {
        "fr": "Les séquences d'un batch s'influencent dans myRNN : modifier la séquence {row} change la sortie "
        "d'une autre séquence. Chaque ligne du batch doit être traitée indépendamment (softmax sur les "
        "classes, pas sur le batch ; pas de mélange entre lignes).",
        "en": "Sequences of a batch influence each other in myRNN: changing sequence {row} changes the output of "
        "another one. Each row of the batch must be processed independently (softmax over the classes, not "
        "the batch; no mixing between rows).",
    },
    "td3_state_dtype": {
        "fr": "myRNN ne fonctionne pas en float64 ({detail}) : créez l'état initial avec le dtype et le device "
        "de x, par exemple h = x.new_zeros(B, H) ou torch.zeros(B, H, dtype=x.dtype, device=x.device).",
        "en": "myRNN does not work in float64 ({detail}): create the initial state with x's dtype and device, "
        "for example h = x.new_zeros(B, H) or torch.zeros(B, H, dtype=x.dtype, device=x.device).",
    },
    "td3_no_gradient": {
        "fr": "Le gradient de la sortie de myRNN n'atteint pas {names} : chaque paramètre doit participer au "
        "calcul, sans .detach(), .item(), .data ni torch.no_grad() dans forward.",
        "en": "The gradient of myRNN's output does not reach {names}: every parameter must take part in the "
        "computation, with no .detach(), .item(), .data or torch.no_grad() in forward.",
    },
    "td3_state_detached": {
        "fr": "myRNN détache l'état caché entre les pas (h.detach()) : les sorties sont justes, mais le gradient "
        "ne remonte pas le temps. La rétropropagation dans le temps doit traverser toute la séquence.",
        "en": "myRNN detaches the hidden state between steps (h.detach()): outputs are right but the gradient does "
        "not flow back through time. Backpropagation through time must cross the whole sequence.",
    },
    "td3_gradients_wrong": {
        "fr": "Les gradients des paramètres de myRNN ne sont pas ceux des équations (paramètre {name}, écart "
        "{worst}) alors que les sorties sont justes : quelque chose dans forward coupe ou modifie le "
        "graphe de calcul (opération en place, .data, détachement...).",
        "en": "The gradients of myRNN's parameters are not those of the equations (parameter {name}, difference "
        "{worst}) although the outputs are right: something in forward cuts or changes the computation "
        "graph (in-place operation, .data, detaching...).",
    },
    # -- Exercise 3: Jacobian and BPTT ---------------------------------------------------------------------
    "td3_uses_autograd": {
        "fr": "{function} utilise la différentiation automatique ({used}) : l'exercice 3 demande de "
        "programmer la récurrence vous-même, une telle réponse ne rapporte pas de point. Le correcteur "
        "l'appelle sans autograd, sur des tenseurs qui ne demandent pas de gradient.",
        "en": "{function} uses automatic differentiation ({used}): exercise 3 asks you to program the recursion "
        "yourself; such an answer earns no point. The grader calls it without autograd, on tensors that do "
        "not require gradients.",
    },
    "td3_jacobian_layout": {
        "fr": "jacobian_h_U renvoie la forme {got} : l'ordre des indices est fixé, J[t, i, a, b] = "
        "∂h_t[i]/∂U[a, b], de forme (T, H, H, d) = {expected}.",
        "en": "jacobian_h_U returns shape {got}: the index order is fixed, J[t, i, a, b] = ∂h_t[i]/∂U[a, b], of "
        "shape (T, H, H, d) = {expected}.",
    },
    "td3_jacobian_transposed": {
        "fr": "jacobian_h_U a ses deux premiers indices après t inversés : vous renvoyez J[t, a, i, b] au lieu "
        "de J[t, i, a, b] = ∂h_t[i]/∂U[a, b] (i : composante de h_t ; a, b : coefficient de U).",
        "en": "jacobian_h_U has its two indices after t swapped: you return J[t, a, i, b] instead of "
        "J[t, i, a, b] = ∂h_t[i]/∂U[a, b] (i: component of h_t; a, b: entry of U).",
    },
    "td3_missing_tanh_derivative": {
        "fr": "{function} oublie la dérivée de tanh : chaque pas doit être multiplié par "
        "tanh'(a_t) = 1 − h_t² (diag(1 − h_t²) dans la récurrence).",
        "en": "{function} forgets the derivative of tanh: every step must be multiplied by "
        "tanh'(a_t) = 1 − h_t² (diag(1 − h_t²) in the recursion).",
    },
    "td3_missing_recurrence": {
        "fr": "{function} oublie le terme récurrent : U agit aussi sur h_t à travers h_{{t-1}}, il faut ajouter "
        "W ∂h_{{t-1}}/∂U (en mode inverse : Wᵀ(h̄_{{t+1}} ⊙ (1 − h_{{t+1}}²))). Votre résultat n'est juste "
        "que pour T = 1.",
        "en": "{function} forgets the recurrent term: U also acts on h_t through h_{{t-1}}, so W ∂h_{{t-1}}/∂U must "
        "be added (in reverse mode: Wᵀ(h̄_{{t+1}} ⊙ (1 − h_{{t+1}}²))). Your result is only right for T = 1.",
    },
    "td3_recurrence_transposed": {
        "fr": "{function} utilise W au lieu de Wᵀ (ou l'inverse) dans la récurrence : en mode direct on "
        "multiplie par W (∂h_t/∂U = diag(1 − h_t²)(∂(U x_t)/∂U + W ∂h_{{t-1}}/∂U)), en mode inverse par Wᵀ.",
        "en": "{function} uses W instead of Wᵀ (or the reverse) in the recursion: forward mode multiplies by W "
        "(∂h_t/∂U = diag(1 − h_t²)(∂(U x_t)/∂U + W ∂h_{{t-1}}/∂U)), reverse mode by Wᵀ.",
    },
    "td3_derivative_wrong_step": {
        "fr": "{function} prend la dérivée de tanh au mauvais pas de temps : le facteur du pas t est 1 − h_t², "
        "calculé avec l'état h_t de ce même pas (pas h_{{t-1}} ni h_{{t+1}}).",
        "en": "{function} takes the derivative of tanh at the wrong time step: the factor of step t is 1 − h_t², "
        "computed with the state h_t of that same step (not h_{{t-1}} nor h_{{t+1}}).",
    },
    "td3_bptt_transposed": {
        "fr": "bptt_grad_U renvoie la forme {got} : ∂L/∂U a la forme de U, (H, d) = {expected} ; chaque pas "
        "ajoute le produit extérieur (h̄_t ⊙ (1 − h_t²)) x_tᵀ (torch.outer(δ_t, x_t)).",
        "en": "bptt_grad_U returns shape {got}: ∂L/∂U has U's shape, (H, d) = {expected}; every step adds the "
        "outer product (h̄_t ⊙ (1 − h_t²)) x_tᵀ (torch.outer(δ_t, x_t)).",
    },
    "td3_bptt_only_last": {
        "fr": "bptt_grad_U n'utilise que grad_h[T-1] : chaque pas t apporte sa contribution directe grad_h[t] "
        "au gradient total h̄_t = grad_h[t] + Wᵀ(h̄_{{t+1}} ⊙ (1 − h_{{t+1}}²)).",
        "en": "bptt_grad_U only uses grad_h[T-1]: every step t brings its direct contribution grad_h[t] to the "
        "total gradient h̄_t = grad_h[t] + Wᵀ(h̄_{{t+1}} ⊙ (1 − h_{{t+1}}²)).",
    },
}
