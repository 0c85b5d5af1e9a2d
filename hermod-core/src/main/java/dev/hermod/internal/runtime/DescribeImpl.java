package dev.hermod.internal.runtime;

import dev.hermod.tools.ServiceDescription;
import dev.hermod.internal.contract.DataTypes;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Answers {@link Describe} from the contracts the server read at start. */
final class DescribeImpl implements Describe {
    private final List<ServiceDescription> descriptions;

    DescribeImpl(Collection<Service> services) {
        List<ServiceDescription> all = new ArrayList<>();
        for (Service s : services) {
            List<ServiceDescription.Operation> ops = new ArrayList<>();
            for (Operation op : s.contract().operations().values()) {
                List<ServiceDescription.Parameter> params = new ArrayList<>();
                for (Parameter p : op.method().getParameters()) {
                    params.add(new ServiceDescription.Parameter(p.getName(), p.getParameterizedType().getTypeName()));
                }
                List<String> exceptions = op.declaredExceptions().stream().map(Class::getName).toList();
                // A stream's result is named as declared: java.util.concurrent.Flow$Publisher<T>.
                String result = op.streaming() != null && op.streaming().result()
                        ? op.method().getGenericReturnType().getTypeName() : op.resultType().getTypeName();
                ops.add(new ServiceDescription.Operation(op.name(), params, result, exceptions,
                        op.isAsync(), op.isOnewayCapable()));
            }
            all.add(new ServiceDescription(s.name(), s.contract().type().getName(), ops, DataTypes.of(s.contract())));
        }
        this.descriptions = List.copyOf(all);
    }

    @Override
    public List<ServiceDescription> describe() {
        return descriptions;
    }
}
